//! An entry as it arrives from the server or another laptop: JSON decoding, the limits
//! (`validate`), the signature and the canonical form must refuse bad bytes with an error, never
//! a panic; and an entry that decodes and verifies must fold without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muster_core::{fold, Entry};

fuzz_target!(|data: &[u8]| {
    let Ok(entry) = serde_json::from_slice::<Entry>(data) else { return };
    if entry.validate().is_err() {
        return;
    }
    if entry.verify().is_ok() {
        let _ = fold(entry.incident_id(), vec![entry]);
    }
});
