//! Time and randomness, injected so that tests and the demo can script them.

use chrono::{DateTime, Utc};
use muster_core::ViewerZone;
use rand_core::{OsRng, RngCore};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// The zone of this machine, used to stamp entries and to show times.
    fn zone(&self) -> ViewerZone;
}

/// The machine's clock; the zone comes from `TZ` when set, else from the OS.
#[derive(Debug, Clone)]
pub struct SystemClock {
    zone: ViewerZone,
}

impl SystemClock {
    pub fn new() -> Self {
        Self { zone: local_zone() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn zone(&self) -> ViewerZone {
        self.zone
    }
}

/// A clock that always says the same time (tests, scripted scenarios).
#[derive(Debug, Clone)]
pub struct FixedClock {
    pub now: DateTime<Utc>,
    pub zone: ViewerZone,
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn zone(&self) -> ViewerZone {
        self.zone
    }
}

/// The viewer's zone: `TZ` if it names an IANA zone, else the OS setting, else UTC.
pub fn local_zone() -> ViewerZone {
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(zone) = ViewerZone::from_name(&tz) {
            return zone;
        }
    }
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| ViewerZone::from_name(&name).ok())
        .unwrap_or(ViewerZone::Utc)
}

pub trait Entropy: Send {
    fn fill(&mut self, buf: &mut [u8]);
}

#[derive(Debug, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        OsRng.fill_bytes(buf);
    }
}

pub fn random_10(entropy: &mut dyn Entropy) -> [u8; 10] {
    let mut b = [0u8; 10];
    entropy.fill(&mut b);
    b
}
