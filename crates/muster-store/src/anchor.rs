//! The stream anchor: the head (seq and hash) of every stream this installation signed, kept in
//! the OS keyring beside the device key — outside the database, so that someone who deletes the
//! last entries of a stream and fixes its head record in the SQLite file is still caught by
//! `verify` (a log that is internally consistent says nothing about what was cut off its end).
//!
//! The anchor only ever moves forward, and only after the entries it names are committed: it can
//! lag the log (another process wrote meanwhile, or the keyring refused a write), never lead it,
//! so a head the anchor names beyond the log means entries were lost.

use std::collections::BTreeMap;

use muster_core::{DeviceId, Entry, Hash32, IncidentId};

use crate::error::{Result, StoreError};
use crate::identity::SecretStore;

/// The keyring account holding the stream anchor of one installation.
pub fn stream_anchor_account(installation_id: &str) -> String {
    format!("stream-anchor/{installation_id}")
}

/// What the anchor records of one of this installation's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchoredHead {
    pub seq: u64,
    pub hash: Hash32,
}

/// The heads of one device key's streams, by incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAnchor {
    pub device: DeviceId,
    pub heads: BTreeMap<IncidentId, AnchoredHead>,
}

/// First line of the keyring text: names the format, so a future change can read the old one.
const FORMAT: &str = "muster-stream-anchor 1";

impl StreamAnchor {
    pub fn new(device: DeviceId) -> StreamAnchor {
        StreamAnchor { device, heads: BTreeMap::new() }
    }

    /// Moves the anchor to the entries just written (those of `self.device`); returns whether
    /// anything moved.
    pub fn advance(&mut self, written: &[Entry]) -> bool {
        let mut moved = false;
        for e in written.iter().filter(|e| e.device_id() == self.device) {
            let later = self.heads.get(&e.incident_id()).is_none_or(|h| e.seq() > h.seq);
            if later {
                self.heads.insert(e.incident_id(), AnchoredHead { seq: e.seq(), hash: e.hash() });
                moved = true;
            }
        }
        moved
    }

    /// The keyring text: a format line, the device, then one `incident seq hash` line per stream.
    pub fn encode(&self) -> String {
        let mut out = format!("{FORMAT}\n{}\n", self.device);
        for (incident, head) in &self.heads {
            out.push_str(&format!("{incident} {} {}\n", head.seq, head.hash));
        }
        out
    }

    pub fn decode(account: &str, text: &str) -> Result<StreamAnchor> {
        let bad = |line: usize, what: &str| {
            StoreError::Keyring(format!(
                "the keyring entry {account} does not hold a Muster stream anchor (line {line}: {what})"
            ))
        };
        let mut lines = text.lines();
        if lines.next() != Some(FORMAT) {
            return Err(bad(1, "unknown format"));
        }
        let device: DeviceId =
            lines.next().and_then(|l| l.trim().parse().ok()).ok_or_else(|| bad(2, "no device id"))?;
        let mut anchor = StreamAnchor::new(device);
        for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut parts = line.split_whitespace();
            let parsed = (|| {
                let incident: IncidentId = parts.next()?.parse().ok()?;
                let seq: u64 = parts.next()?.parse().ok()?;
                let hash: Hash32 = parts.next()?.parse().ok()?;
                Some((incident, AnchoredHead { seq, hash }))
            })();
            let (incident, head) = parsed.ok_or_else(|| bad(i + 3, "expected `incident seq hash`"))?;
            anchor.heads.insert(incident, head);
        }
        Ok(anchor)
    }

    /// Reads the anchor of `device` from the keyring: `None` when there is none yet, or when the
    /// one there belongs to another device key (the keyring lost the old key: a new stream).
    pub fn load(
        secrets: &dyn SecretStore,
        installation_id: &str,
        device: DeviceId,
    ) -> Result<Option<StreamAnchor>> {
        let account = stream_anchor_account(installation_id);
        match secrets.get(&account)? {
            None => Ok(None),
            Some(text) => {
                let anchor = StreamAnchor::decode(&account, &text)?;
                Ok((anchor.device == device).then_some(anchor))
            }
        }
    }

    pub fn save(&self, secrets: &dyn SecretStore, installation_id: &str) -> Result<()> {
        secrets.set(&stream_anchor_account(installation_id), &self.encode())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_text_round_trips_and_names_a_bad_line() {
        let mut a = StreamAnchor::new(DeviceId([3; 32]));
        a.heads.insert(
            IncidentId::from_parts(1_790_000_000_000, [7; 10]),
            AnchoredHead { seq: 42, hash: Hash32([9; 32]) },
        );
        let text = a.encode();
        assert_eq!(StreamAnchor::decode("acct", &text).unwrap(), a);
        let broken = text.replace(" 42 ", " forty-two ");
        let err = StreamAnchor::decode("acct", &broken).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("acct"), "{err}");
    }
}
