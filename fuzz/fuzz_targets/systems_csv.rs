//! A systems register CSV imported by the clinical liaison: all-or-nothing, errors naming the
//! line; never a panic. A register that parses must write back to CSV and read the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muster_core::systems::{parse_csv, to_csv};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(register) = parse_csv(text) else { return };
    let again = parse_csv(&to_csv(&register)).expect("a register written by to_csv reads back");
    assert_eq!(again, register, "CSV round trip changed the register");
});
