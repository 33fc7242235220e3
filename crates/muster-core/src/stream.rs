//! Writing one (incident, device) stream outside a store: the demo's scripted laptops, tests and
//! benchmarks. Keeps `seq`, `prev_hash` and a strictly increasing HLC, as a store would.

use ed25519_dalek::SigningKey;

use crate::body::EntryBody;
use crate::entry::{Author, Entry, UnsignedEntry};
use crate::error::CanonicalError;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EntryId, Hash32, IncidentId};
use crate::time::WallClock;

#[derive(Debug)]
pub struct StreamWriter {
    key: SigningKey,
    incident: IncidentId,
    seq: u64,
    prev: Hash32,
    hlc: Hlc,
}

impl StreamWriter {
    pub fn new(key: SigningKey, incident: IncidentId) -> Self {
        StreamWriter { key, incident, seq: 0, prev: Hash32::ZERO, hlc: Hlc::ZERO }
    }

    pub fn device_id(&self) -> DeviceId {
        DeviceId(self.key.verifying_key().to_bytes())
    }

    /// Signs the next entry of the stream, recorded at `recorded` (the HLC follows it, and
    /// always moves forward). `id_random` supplies the id's random bits.
    pub fn write(
        &mut self,
        recorded: WallClock,
        author: Author,
        body: EntryBody,
        id_random: [u8; 10],
    ) -> Result<Entry, CanonicalError> {
        let physical = u64::try_from(recorded.utc_ms).unwrap_or(0);
        self.hlc = Hlc::next(self.hlc, physical);
        let entry = UnsignedEntry {
            id: EntryId::from_parts(self.hlc.wall_ms, id_random),
            incident_id: self.incident,
            seq: self.seq + 1,
            prev_hash: self.prev,
            hlc: self.hlc,
            recorded,
            author,
            on_behalf: None,
            body,
        }
        .sign(&self.key)?;
        self.seq = entry.seq();
        self.prev = entry.hash();
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Note;

    #[test]
    fn a_written_stream_chains_and_its_clock_never_goes_back() {
        let mut w = StreamWriter::new(SigningKey::from_bytes(&[3; 32]), IncidentId::from_parts(1, [1; 10]));
        let author = Author { person: "A".into(), position: None };
        let at = |ms| WallClock { utc_ms: ms, offset_s: 0, zone: "UTC".into() };
        let note = |t: &str| EntryBody::Note(Note { text: t.into(), occurred_at: None });
        let a = w.write(at(5_000), author.clone(), note("a"), [1; 10]).unwrap();
        let b = w.write(at(4_000), author, note("b"), [2; 10]).unwrap();
        assert_eq!((a.seq(), b.seq()), (1, 2));
        assert_eq!(b.envelope.prev_hash, a.hash());
        assert!(b.hlc() > a.hlc(), "a clock set back does not reorder the stream");
        assert_eq!(a.device_id(), w.device_id());
        a.verify().unwrap();
        b.verify().unwrap();
    }
}
