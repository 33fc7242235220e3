//! Identifiers used in the log: entry and incident ids (UUIDv7), device ids (Ed25519 public keys)
//! and SHA-256 hashes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::ParseIdError;

macro_rules! uuid_id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The id of ", $what, " (a UUIDv7: its first 48 bits are a Unix time in ms).")]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Builds a UUIDv7 from a Unix time in milliseconds and 10 random bytes (injected, so
            /// that the core stays free of I/O and tests are reproducible).
            pub fn from_parts(unix_ms: u64, random: [u8; 10]) -> Self {
                Self(uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid())
            }

            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }

            /// The short reference shown to people: the last 8 hex digits. The first digits of a
            /// UUIDv7 are a timestamp and would collide for entries made in the same minute.
            pub fn short(&self) -> String {
                let simple = self.0.simple().to_string();
                simple[simple.len() - 8..].to_string()
            }

            /// Whether `fragment` (hex digits, hyphens ignored) is a suffix of this id or the
            /// whole id. Used to resolve the short references people type.
            pub fn matches_ref(&self, fragment: &str) -> bool {
                let wanted: String = fragment
                    .trim_start_matches('#')
                    .chars()
                    .filter(|c| *c != '-')
                    .collect::<String>()
                    .to_ascii_lowercase();
                !wanted.is_empty() && self.0.simple().to_string().ends_with(&wanted)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ParseIdError { what: $what, value: s.to_string() })
            }
        }
    };
}

uuid_id!(EntryId, "an entry");
uuid_id!(IncidentId, "an incident");

/// Hashes ids by their random bits. UUIDv7 ids end in 62 random bits, so SipHash's protection
/// buys nothing here, and the fold hashes every id of a 100k-entry incident.
#[derive(Default, Clone, Copy, Debug)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
}

/// Hash maps and sets keyed by ids.
pub type IdBuildHasher = std::hash::BuildHasherDefault<IdHasher>;
pub type IdMap<K, V> = std::collections::HashMap<K, V, IdBuildHasher>;
pub type IdSet<K> = std::collections::HashSet<K, IdBuildHasher>;

/// A device is named by its Ed25519 public key, so an entry carries everything needed to check
/// its signature (see docs/decisions/0001-device-id-is-the-public-key.md).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub [u8; 32]);

impl DeviceId {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// First 8 hex digits, enough to tell a war room's laptops apart on screen.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({})", self.short())
    }
}

impl FromStr for DeviceId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        decode_32(s)
            .map(DeviceId)
            .ok_or_else(|| ParseIdError { what: "a device (64 hex digits)", value: s.to_string() })
    }
}

impl Serialize for DeviceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for DeviceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A SHA-256 digest. The all-zero hash is the `prev_hash` of the first entry of a stream.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    pub const ZERO: Hash32 = Hash32([0; 32]);

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash32({})", self.short())
    }
}

impl FromStr for Hash32 {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        decode_32(s)
            .map(Hash32)
            .ok_or_else(|| ParseIdError { what: "a hash (64 hex digits)", value: s.to_string() })
    }
}

impl Serialize for Hash32 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn decode_32(s: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(s.trim()).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_refs_resolve_by_suffix() {
        let id = EntryId::from_parts(1_700_000_000_000, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let short = id.short();
        assert_eq!(short.len(), 8);
        assert!(id.matches_ref(&short));
        assert!(id.matches_ref(&format!("#{short}")));
        assert!(id.matches_ref(&id.to_string()));
        assert!(!id.matches_ref(""));
        assert!(!id.matches_ref("ffffffff"));
    }

    #[test]
    fn device_and_hash_round_trip_through_text() {
        let d = DeviceId([7; 32]);
        assert_eq!(d.to_string().parse::<DeviceId>().unwrap(), d);
        assert!("abc".parse::<DeviceId>().is_err());
        let h = Hash32([9; 32]);
        assert_eq!(h.to_string().parse::<Hash32>().unwrap(), h);
    }
}
