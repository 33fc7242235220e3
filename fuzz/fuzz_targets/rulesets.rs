//! A ruleset file an organisation edits (classification matrix, regulatory clocks, escalation
//! paths): a bad file gives file, line and field, never a panic. The first byte picks the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muster_core::breach::rules::{
    classification::Matrix, clocks::ClockRuleset, escalation::EscalationRuleset,
};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    match pick % 3 {
        0 => drop(Matrix::parse("classification.toml", text)),
        1 => drop(ClockRuleset::parse("regulatory-clocks.toml", text)),
        _ => drop(EscalationRuleset::parse("escalation.toml", text)),
    }
});
