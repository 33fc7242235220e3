//! The signed entry envelope.
//!
//! Signing bytes (version 1; see docs/encoding.md, frozen by tests/vectors/entry-v1.json):
//! ```text
//! "muster/entry/v1\n"            16 ASCII bytes (domain separation)
//! id, incident_id                16 bytes each (UUID, big-endian)
//! device_id                      32 bytes (Ed25519 public key)
//! seq                            u64 BE
//! prev_hash                      32 bytes
//! hlc.wall_ms, hlc.counter       u64 BE, u32 BE
//! recorded.utc_ms, offset_s      i64 BE, i32 BE
//! recorded.zone                  str
//! author.person                  str
//! author.position                opt str (slug)
//! on_behalf                      str (only in version 2, see below)
//! kind                           str
//! body_version                   u16 BE
//! body                           str (canonical JSON)
//! str = u32 BE byte length + UTF-8; opt = 0x00 | 0x01 + value
//! ```
//! `signature` = Ed25519(signing bytes); `hash` = SHA-256(signing bytes || signature).
//!
//! Version 2 differs only when the entry is recorded on someone's behalf: the tag is
//! `"muster/entry/v2\n"` and `on_behalf` follows the author. An entry with nobody named on
//! whose behalf it was recorded keeps the version 1 bytes, so every entry signed before
//! version 2 still verifies (docs/decisions/0028).

use std::collections::HashMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::body::EntryBody;
use crate::canonical::{canonical_json, ByteWriter};
use crate::error::{BodyError, CanonicalError, ValidationError, VerifyError};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EntryId, Hash32, IncidentId};
use crate::position::Position;
use crate::time::WallClock;

pub const DOMAIN_TAG: &[u8; 16] = b"muster/entry/v1\n";
/// The tag of entries recorded on someone's behalf (`Envelope::on_behalf`).
pub const DOMAIN_TAG_V2: &[u8; 16] = b"muster/entry/v2\n";

/// Who recorded an entry: the person at the signing device (its registered user once the device
/// is registered with a sync server, which checks it) and the position they wrote in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub person: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{} ({})", self.person, p),
            None => f.write_str(&self.person),
        }
    }
}

/// Everything an entry says besides its body and signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub id: EntryId,
    pub incident_id: IncidentId,
    pub device_id: DeviceId,
    /// Position in the (incident, device) stream, from 1 without gaps: the sync cursor.
    pub seq: u64,
    /// Hash of the previous entry of the same stream; zero for seq 1.
    pub prev_hash: Hash32,
    pub hlc: Hlc,
    pub recorded: WallClock,
    /// Who recorded it (the recorder): authority for reserved acts is theirs.
    pub author: Author,
    /// On whose behalf, when not the recorder's own (a scribe writing for the commander).
    pub on_behalf: Option<String>,
}

/// An entry about to be signed (the device id comes from the signing key).
#[derive(Clone, Debug)]
pub struct UnsignedEntry {
    pub id: EntryId,
    pub incident_id: IncidentId,
    pub seq: u64,
    pub prev_hash: Hash32,
    pub hlc: Hlc,
    pub recorded: WallClock,
    pub author: Author,
    pub on_behalf: Option<String>,
    pub body: EntryBody,
}

impl UnsignedEntry {
    pub fn sign(self, key: &SigningKey) -> Result<Entry, CanonicalError> {
        let envelope = Envelope {
            id: self.id,
            incident_id: self.incident_id,
            device_id: DeviceId(key.verifying_key().to_bytes()),
            seq: self.seq,
            prev_hash: self.prev_hash,
            hlc: self.hlc,
            recorded: self.recorded,
            author: self.author,
            on_behalf: self.on_behalf,
        };
        let body_json = self.body.to_canonical_json()?;
        let bytes = signing_bytes(&envelope, self.body.kind(), self.body.version(), &body_json);
        let signature = key.sign(&bytes).to_bytes();
        let hash = entry_hash(&bytes, &signature);
        Ok(Entry { envelope, body: self.body, body_json, signature, hash })
    }
}

/// A signed entry. Immutable: corrections are new entries naming their target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub envelope: Envelope,
    pub body: EntryBody,
    /// The exact body text that was signed.
    body_json: String,
    pub signature: [u8; 64],
    hash: Hash32,
}

/// The total order in which entries are folded: (HLC, device, seq). Unique per stream position.
pub type OrderKey = (Hlc, DeviceId, u64);

impl Entry {
    /// Rebuilds an entry from stored or received parts. The body is decoded (unknown kinds are
    /// kept) and the hash recomputed; the signature is not checked here (see `verify`).
    pub fn from_parts(
        envelope: Envelope,
        kind: &str,
        body_version: u16,
        body_json: String,
        signature: [u8; 64],
    ) -> Result<Entry, BodyError> {
        let body = EntryBody::decode(kind, body_version, &body_json)?;
        let bytes = signing_bytes(&envelope, kind, body_version, &body_json);
        let hash = entry_hash(&bytes, &signature);
        Ok(Entry { envelope, body, body_json, signature, hash })
    }

    pub fn id(&self) -> EntryId {
        self.envelope.id
    }

    /// Takes the entry apart (the fold moves bodies into timeline items instead of copying).
    pub fn into_parts(self) -> (Envelope, EntryBody) {
        (self.envelope, self.body)
    }
    pub fn incident_id(&self) -> IncidentId {
        self.envelope.incident_id
    }
    pub fn device_id(&self) -> DeviceId {
        self.envelope.device_id
    }
    pub fn seq(&self) -> u64 {
        self.envelope.seq
    }
    pub fn hlc(&self) -> Hlc {
        self.envelope.hlc
    }
    pub fn kind(&self) -> &str {
        self.body.kind()
    }
    pub fn body_version(&self) -> u16 {
        self.body.version()
    }
    pub fn body_json(&self) -> &str {
        &self.body_json
    }
    pub fn hash(&self) -> Hash32 {
        self.hash
    }
    pub fn order_key(&self) -> OrderKey {
        (self.envelope.hlc, self.envelope.device_id, self.envelope.seq)
    }

    pub fn signing_bytes(&self) -> Vec<u8> {
        signing_bytes(&self.envelope, self.kind(), self.body_version(), &self.body_json)
    }

    /// Checks the limits every entry must respect (the signature is checked by `verify`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let env = &self.envelope;
        if env.seq == 0 {
            return Err(ValidationError::new("seq", "0", "streams start at seq 1"));
        }
        // Integers above 2^53 do not survive JSON readers such as JavaScript's.
        const MAX_SAFE: u64 = crate::hlc::MAX_WALL_MS;
        if env.seq > MAX_SAFE {
            return Err(ValidationError::new("seq", env.seq.to_string(), "must be below 2^53"));
        }
        if env.hlc.wall_ms > MAX_SAFE {
            return Err(ValidationError::new(
                "hlc.wall_ms",
                env.hlc.wall_ms.to_string(),
                "must be below 2^53",
            ));
        }
        if env.seq == 1 && env.prev_hash != Hash32::ZERO {
            return Err(ValidationError::new(
                "prev_hash",
                env.prev_hash.to_string(),
                "the first entry of a stream has the zero prev_hash",
            ));
        }
        if !env.recorded.is_representable() {
            return Err(ValidationError::new(
                "recorded",
                env.recorded.utc_ms.to_string(),
                "wall clock reading outside years 0000-9999 or offset of a day or more",
            ));
        }
        let zone = &env.recorded.zone;
        if zone.is_empty() || zone.len() > 64 || zone.chars().any(|c| c.is_control()) {
            return Err(ValidationError::new("recorded.zone", zone, "not a time zone name"));
        }
        let person = &env.author.person;
        if person.trim().is_empty() || person.chars().count() > crate::body::MAX_PERSON {
            return Err(ValidationError::new(
                "author.person",
                person,
                format!("must be 1 to {} characters", crate::body::MAX_PERSON),
            ));
        }
        if person.chars().any(char::is_control) {
            return Err(ValidationError::new("author.person", person, "contains a control character"));
        }
        if let Some(principal) = &env.on_behalf {
            if principal.trim().is_empty()
                || principal.chars().count() > crate::body::MAX_PERSON
                || principal.chars().any(char::is_control)
            {
                return Err(ValidationError::new(
                    "on_behalf",
                    principal,
                    format!("must be 1 to {} characters with no control character", crate::body::MAX_PERSON),
                ));
            }
            if principal == person {
                return Err(ValidationError::new(
                    "on_behalf",
                    principal,
                    "names the recorder: an entry is on someone's behalf only when they did not record it",
                ));
            }
        }
        self.body.validate()
    }

    /// Checks the signature against the device key the entry names.
    pub fn verify(&self) -> Result<(), VerifyError> {
        let key = verifying_key(&self.envelope.device_id)?;
        key.verify_strict(&self.signing_bytes(), &Signature::from_bytes(&self.signature))
            .map_err(|_| VerifyError::BadSignature)
    }
}

pub fn signing_bytes(envelope: &Envelope, kind: &str, body_version: u16, body_json: &str) -> Vec<u8> {
    let mut w = ByteWriter::with_capacity(256 + body_json.len());
    w.raw(if envelope.on_behalf.is_some() { DOMAIN_TAG_V2 } else { DOMAIN_TAG });
    w.raw(envelope.id.as_bytes());
    w.raw(envelope.incident_id.as_bytes());
    w.raw(envelope.device_id.as_bytes());
    w.u64(envelope.seq);
    w.raw(envelope.prev_hash.as_bytes());
    w.u64(envelope.hlc.wall_ms);
    w.u32(envelope.hlc.counter);
    w.i64(envelope.recorded.utc_ms);
    w.i32(envelope.recorded.offset_s);
    w.str(&envelope.recorded.zone);
    w.str(&envelope.author.person);
    w.opt_str(envelope.author.position.as_ref().map(|p| p.slug()).as_deref());
    if let Some(principal) = &envelope.on_behalf {
        w.str(principal);
    }
    w.str(kind);
    w.u16(body_version);
    w.str(body_json);
    w.bytes
}

pub fn entry_hash(signing_bytes: &[u8], signature: &[u8; 64]) -> Hash32 {
    let mut h = Sha256::new();
    h.update(signing_bytes);
    h.update(signature);
    Hash32(h.finalize().into())
}

pub fn verifying_key(device: &DeviceId) -> Result<VerifyingKey, VerifyError> {
    let key = VerifyingKey::from_bytes(device.as_bytes())
        .map_err(|_| VerifyError::BadDeviceKey(device.to_string()))?;
    if key.is_weak() {
        return Err(VerifyError::WeakDeviceKey(device.to_string()));
    }
    Ok(key)
}

/// Verifies many signatures, batching where possible (about three times the single-signature
/// rate). Returns the index and reason of every entry that fails.
pub fn verify_many(entries: &[&Entry]) -> Vec<(usize, VerifyError)> {
    const CHUNK: usize = 512;
    let mut failures = Vec::new();
    let mut keys: HashMap<DeviceId, Result<VerifyingKey, VerifyError>> = HashMap::new();
    for (chunk_no, chunk) in entries.chunks(CHUNK).enumerate() {
        let base = chunk_no * CHUNK;
        let mut messages = Vec::with_capacity(chunk.len());
        let mut signatures = Vec::with_capacity(chunk.len());
        let mut verifying = Vec::with_capacity(chunk.len());
        let mut chunk_ok = true;
        for (i, entry) in chunk.iter().enumerate() {
            let key =
                keys.entry(entry.device_id()).or_insert_with(|| verifying_key(&entry.device_id())).clone();
            match key {
                Ok(k) => {
                    messages.push(entry.signing_bytes());
                    signatures.push(Signature::from_bytes(&entry.signature));
                    verifying.push(k);
                }
                Err(e) => {
                    failures.push((base + i, e));
                    chunk_ok = false;
                }
            }
        }
        if chunk_ok {
            let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
            if ed25519_dalek::verify_batch(&refs, &signatures, &verifying).is_ok() {
                // The batch equation is the cofactored one; check each key's strictness above and
                // accept. Honest signatures pass both; forging either is infeasible.
                continue;
            }
        }
        // Find the culprits one by one.
        for (i, entry) in chunk.iter().enumerate() {
            if failures.iter().any(|(idx, _)| *idx == base + i) {
                continue;
            }
            if let Err(e) = entry.verify() {
                failures.push((base + i, e));
            }
        }
    }
    failures
}

/// The JSON form of an entry used by export files and the sync wire. The body is an embedded
/// JSON object; its canonical form (not the transmitted text) is what the signature covers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEntry {
    id: EntryId,
    incident_id: IncidentId,
    device_id: DeviceId,
    seq: u64,
    prev_hash: Hash32,
    hlc: Hlc,
    recorded: WallClock,
    author: Author,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_behalf: Option<String>,
    kind: String,
    body_version: u16,
    body: Value,
    signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash: Option<Hash32>,
}

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let body: Value = serde_json::from_str(&self.body_json).map_err(serde::ser::Error::custom)?;
        WireEntry {
            id: self.envelope.id,
            incident_id: self.envelope.incident_id,
            device_id: self.envelope.device_id,
            seq: self.envelope.seq,
            prev_hash: self.envelope.prev_hash,
            hlc: self.envelope.hlc,
            recorded: self.envelope.recorded.clone(),
            author: self.envelope.author.clone(),
            on_behalf: self.envelope.on_behalf.clone(),
            kind: self.kind().to_string(),
            body_version: self.body_version(),
            body,
            signature: hex::encode(self.signature),
            hash: Some(self.hash),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = WireEntry::deserialize(d)?;
        if wire.seq == 0 {
            return Err(D::Error::custom("seq: streams start at 1"));
        }
        let body_json = canonical_json(&wire.body).map_err(|e| D::Error::custom(format!("body: {e}")))?;
        let signature: [u8; 64] = hex::decode(&wire.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| D::Error::custom("signature: expected 128 hex digits"))?;
        let envelope = Envelope {
            id: wire.id,
            incident_id: wire.incident_id,
            device_id: wire.device_id,
            seq: wire.seq,
            prev_hash: wire.prev_hash,
            hlc: wire.hlc,
            recorded: wire.recorded,
            author: wire.author,
            on_behalf: wire.on_behalf,
        };
        let entry = Entry::from_parts(envelope, &wire.kind, wire.body_version, body_json, signature)
            .map_err(|e| D::Error::custom(format!("body: {e}")))?;
        if let Some(stated) = wire.hash {
            if stated != entry.hash {
                return Err(D::Error::custom(format!(
                    "hash: stated {} but the entry hashes to {} (it was changed after it was written)",
                    stated.short(),
                    entry.hash.short()
                )));
            }
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Note;

    pub(crate) fn test_key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn note(seq: u64, prev: Hash32, text: &str) -> UnsignedEntry {
        UnsignedEntry {
            id: EntryId::from_parts(1_700_000_000_000 + seq, [seq as u8; 10]),
            incident_id: IncidentId::from_parts(1_700_000_000_000, [9; 10]),
            seq,
            prev_hash: prev,
            hlc: Hlc { wall_ms: 1_700_000_000_000 + seq, counter: 0 },
            recorded: WallClock { utc_ms: 1_700_000_000_000, offset_s: 3600, zone: "Europe/Berlin".into() },
            author: Author { person: "Dr. Amara Okafor".into(), position: Some(Position::IncidentCommander) },
            on_behalf: None,
            body: EntryBody::Note(Note { text: text.into(), occurred_at: None }),
        }
    }

    #[test]
    fn signed_entries_verify_and_any_change_breaks_them() {
        let e = note(1, Hash32::ZERO, "EDR alert on PACS server").sign(&test_key(1)).unwrap();
        e.verify().unwrap();

        let mut tampered = e.clone();
        tampered.envelope.seq = 2;
        assert_eq!(tampered.verify(), Err(VerifyError::BadSignature));

        let mut tampered = e.clone();
        tampered.envelope.author.person = "Someone Else".into();
        assert_eq!(tampered.verify(), Err(VerifyError::BadSignature));

        let forged = Entry::from_parts(
            e.envelope.clone(),
            "note",
            1,
            r#"{"text":"nothing happened"}"#.into(),
            e.signature,
        )
        .unwrap();
        assert_eq!(forged.verify(), Err(VerifyError::BadSignature));
        assert_ne!(forged.hash(), e.hash());
    }

    #[test]
    fn on_behalf_is_signed_and_round_trips() {
        let mut unsigned = note(1, Hash32::ZERO, "PACS isolated");
        unsigned.author = Author { person: "Sam Park".into(), position: Some(Position::Scribe) };
        unsigned.on_behalf = Some("Dr. Amara Okafor".into());
        let e = unsigned.sign(&test_key(5)).unwrap();
        e.verify().unwrap();
        assert!(e.signing_bytes().starts_with(DOMAIN_TAG_V2));
        let back: Entry = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        // Naming someone else, or nobody, breaks the signature.
        let mut tampered = e.clone();
        tampered.envelope.on_behalf = Some("Someone Else".into());
        assert_eq!(tampered.verify(), Err(VerifyError::BadSignature));
        tampered.envelope.on_behalf = None;
        assert_eq!(tampered.verify(), Err(VerifyError::BadSignature));
        // An entry for nobody else keeps the version 1 bytes.
        let plain = note(1, Hash32::ZERO, "x").sign(&test_key(5)).unwrap();
        assert!(plain.signing_bytes().starts_with(DOMAIN_TAG));
        // Recording on one's own behalf is refused: it would say two people did one thing.
        let mut own = note(1, Hash32::ZERO, "x");
        own.on_behalf = Some("Dr. Amara Okafor".into());
        let err = own.sign(&test_key(5)).unwrap().validate().unwrap_err();
        assert_eq!(err.field, "on_behalf");
    }

    #[test]
    fn wire_json_round_trips_and_tolerates_reformatting() {
        let e = note(1, Hash32::ZERO, "line one\nline \"two\"").sign(&test_key(2)).unwrap();
        let json = serde_json::to_string(&e).unwrap();
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        back.verify().unwrap();
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&json).unwrap()).unwrap();
        let back: Entry = serde_json::from_str(&pretty).unwrap();
        assert_eq!(back.hash(), e.hash());
    }

    #[test]
    fn wire_json_with_a_wrong_hash_or_signature_is_refused() {
        let e = note(1, Hash32::ZERO, "x").sign(&test_key(3)).unwrap();
        let mut v: Value = serde_json::to_value(&e).unwrap();
        v["hash"] = Value::String(Hash32([1; 32]).to_string());
        let err = serde_json::from_value::<Entry>(v.clone()).unwrap_err().to_string();
        assert!(err.starts_with("hash:"), "{err}");
        v["hash"] = Value::Null;
        v.as_object_mut().unwrap().remove("hash");
        v["signature"] = Value::String("abcd".into());
        let err = serde_json::from_value::<Entry>(v).unwrap_err().to_string();
        assert!(err.starts_with("signature:"), "{err}");
    }

    #[test]
    fn verify_many_names_exactly_the_bad_entries() {
        let key = test_key(4);
        let mut entries: Vec<Entry> = Vec::new();
        let mut prev = Hash32::ZERO;
        for seq in 1..=1200 {
            let e = note(seq, prev, &format!("n{seq}")).sign(&key).unwrap();
            prev = e.hash();
            entries.push(e);
        }
        entries[3].envelope.seq = 99;
        entries[700].envelope.author.person = "forger".into();
        let refs: Vec<&Entry> = entries.iter().collect();
        let bad: Vec<usize> = verify_many(&refs).into_iter().map(|(i, _)| i).collect();
        assert_eq!(bad, vec![3, 700]);
    }
}
