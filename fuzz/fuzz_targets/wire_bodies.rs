//! Every body of the sync protocol, both ways: the server parses the requests from any client,
//! the client parses the responses from any server. The first byte picks the type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muster_wire as w;

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) {
    let _ = serde_json::from_slice::<T>(bytes);
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    match pick % 11 {
        0 => parse::<w::LoginRequest>(body),
        1 => parse::<w::PushRequest>(body),
        2 => parse::<w::SetMemberRequest>(body),
        3 => parse::<w::LoginResponse>(body),
        4 => parse::<w::MeResponse>(body),
        5 => parse::<w::HeadsResponse>(body),
        6 => parse::<w::PushResponse>(body),
        7 => parse::<w::PullResponse>(body),
        8 => parse::<Vec<w::Member>>(body),
        9 => parse::<Vec<w::Alert>>(body),
        _ => parse::<w::ErrorBody>(body),
    }
});
