//! An export file handed to `muster import`: the header, every line and every signature are
//! checked before anything is written; hostile bytes must give a named error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = muster_store::transfer::read_export(data, "fuzz.jsonl", &mut |_| {});
});
