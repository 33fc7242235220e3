//! When people are reminded of an open obligation outside the window (an OS notification): a
//! day before, an hour before, and once it is overdue (decision 0019).

use chrono::{DateTime, Duration, Utc};

use super::{Obligation, ObligationStatus};

/// How near an open obligation is to its due instant, for the reminders people get outside
/// the window (an OS notification): a day before, an hour before, and once it is overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineStage {
    /// Due within 24 hours.
    DayBefore,
    /// Due within one hour.
    HourBefore,
    /// The due instant has passed and it is neither met nor waived.
    Overdue,
}

impl DeadlineStage {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeadlineStage::DayBefore => "day_before",
            DeadlineStage::HourBefore => "hour_before",
            DeadlineStage::Overdue => "overdue",
        }
    }
}

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// The reminder stage an obligation is in at `now`: only open ones (pending or overdue) with a
/// due instant, and none while a law-enforcement delay suspends the clock. As for the status,
/// the due instant itself is still on time; overdue starts the millisecond after.
pub fn deadline_stage(o: &Obligation, now: DateTime<Utc>) -> Option<DeadlineStage> {
    if !matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue)
        || o.suspended_until.is_some()
    {
        return None;
    }
    let left_ms = (o.due? - now).num_milliseconds();
    if left_ms < 0 {
        Some(DeadlineStage::Overdue)
    } else if left_ms <= HOUR_MS {
        Some(DeadlineStage::HourBefore)
    } else if left_ms <= DAY_MS {
        Some(DeadlineStage::DayBefore)
    } else {
        None
    }
}

/// The next instant after `now` at which an open obligation enters another reminder stage (or
/// a suspension ends), so a scheduler can sleep until then.
pub fn next_deadline_change(obligations: &[Obligation], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    obligations
        .iter()
        .filter(|o| matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue))
        .flat_map(|o| {
            let due = o.due.filter(|_| o.suspended_until.is_none());
            let stages = due.into_iter().flat_map(|due| {
                [
                    due - Duration::milliseconds(DAY_MS),
                    due - Duration::milliseconds(HOUR_MS),
                    due + Duration::milliseconds(1),
                ]
            });
            stages.chain(o.suspended_until)
        })
        .filter(|t| *t > now)
        .min()
}
