//! Hybrid logical clock: a physical time in ms plus a counter, so that entries made on laptops
//! with slightly wrong clocks still order causally (an entry always sorts after everything its
//! device had seen when it was made).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (the largest physical time seen).
    pub wall_ms: u64,
    /// Breaks ties between events in the same millisecond.
    pub counter: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc { wall_ms: 0, counter: 0 };

    /// The timestamp of a new local event, given the greatest HLC this installation has seen
    /// (its own entries and every entry it received) and the current physical time.
    /// The result is strictly greater than `latest_known`.
    pub fn next(latest_known: Hlc, physical_ms: u64) -> Hlc {
        if physical_ms > latest_known.wall_ms {
            Hlc { wall_ms: physical_ms, counter: 0 }
        } else if latest_known.counter < u32::MAX {
            Hlc { wall_ms: latest_known.wall_ms, counter: latest_known.counter + 1 }
        } else {
            // 4 billion events within one millisecond cannot come from people; move the clock on.
            Hlc { wall_ms: latest_known.wall_ms + 1, counter: 0 }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_follows_the_physical_clock_when_it_is_ahead() {
        let last = Hlc { wall_ms: 100, counter: 7 };
        assert_eq!(Hlc::next(last, 150), Hlc { wall_ms: 150, counter: 0 });
    }

    #[test]
    fn next_counts_when_the_physical_clock_is_behind_what_was_seen() {
        // A laptop whose clock is 10 s slow still orders its entry after one it received.
        let received = Hlc { wall_ms: 10_000, counter: 2 };
        assert_eq!(Hlc::next(received, 0), Hlc { wall_ms: 10_000, counter: 3 });
        assert!(Hlc::next(received, 9_999) > received);
    }

    #[test]
    fn next_never_goes_backwards_even_at_counter_limit() {
        let last = Hlc { wall_ms: 5, counter: u32::MAX };
        assert!(Hlc::next(last, 5) > last);
    }
}
