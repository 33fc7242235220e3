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

/// How far ahead of a receiver's own clock another device's entry may be stamped. Beyond it the
/// entry is set aside, never allowed to move the receiver's clock: one entry stamped in the far
/// future (a device clock set to 2099, or a forged clock at 2^53 ms) would otherwise push the
/// clock of every laptop that syncs it to the end of its range. A day is far beyond any laptop
/// whose clock is merely wrong by a time zone or a forgotten daylight-saving change.
pub const MAX_CLOCK_AHEAD_MS: u64 = 24 * 3600 * 1000;

/// The largest `wall_ms` an entry may carry (JSON readers such as JavaScript's lose precision
/// above 2^53).
pub const MAX_WALL_MS: u64 = (1 << 53) - 1;

impl Hlc {
    pub const ZERO: Hlc = Hlc { wall_ms: 0, counter: 0 };

    /// How far this clock is ahead of `physical_ms` beyond [`MAX_CLOCK_AHEAD_MS`], if it is.
    pub fn too_far_ahead_of(&self, physical_ms: u64) -> Option<u64> {
        let ahead = self.wall_ms.saturating_sub(physical_ms);
        (ahead > MAX_CLOCK_AHEAD_MS).then_some(ahead)
    }

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
            Hlc { wall_ms: latest_known.wall_ms.saturating_add(1), counter: 0 }
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
    fn a_clock_more_than_a_day_ahead_is_named_with_how_far() {
        let now = 1_800_000_000_000;
        assert_eq!(Hlc { wall_ms: now + MAX_CLOCK_AHEAD_MS, counter: 9 }.too_far_ahead_of(now), None);
        assert_eq!(
            Hlc { wall_ms: now + MAX_CLOCK_AHEAD_MS + 1, counter: 0 }.too_far_ahead_of(now),
            Some(MAX_CLOCK_AHEAD_MS + 1)
        );
        assert_eq!(
            Hlc { wall_ms: MAX_WALL_MS, counter: u32::MAX }.too_far_ahead_of(now),
            Some(MAX_WALL_MS - now)
        );
        // Behind is never "ahead".
        assert_eq!(Hlc { wall_ms: 0, counter: 0 }.too_far_ahead_of(now), None);
    }

    #[test]
    fn next_saturates_instead_of_overflowing() {
        let last = Hlc { wall_ms: u64::MAX, counter: u32::MAX };
        assert_eq!(Hlc::next(last, 0).wall_ms, u64::MAX);
    }

    #[test]
    fn next_never_goes_backwards_even_at_counter_limit() {
        let last = Hlc { wall_ms: 5, counter: u32::MAX };
        assert!(Hlc::next(last, 5) > last);
    }
}
