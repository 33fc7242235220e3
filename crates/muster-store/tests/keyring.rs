//! The device key lives in the real OS keyring (run under scripts/with-keyring, which provides a
//! Secret Service and a kernel session keyring). Never in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_core::error::ErrorCode;
use muster_store::*;
use muster_store::{device_key_account, SecretStore};

fn open(dir: &std::path::Path) -> Muster {
    Muster::open(dir, OpenOptions::default()).unwrap()
}

#[test]
fn the_device_key_is_created_in_the_keyring_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = open(dir.path());
    assert_eq!(m.device_id().unwrap(), None, "no key before the first write");
    let key = m.device_key().unwrap().clone();
    let device = m.device_id().unwrap().unwrap();
    assert_eq!(device.as_bytes(), &key.verifying_key().to_bytes());
    let installation = m.installation_id().unwrap();
    drop(m);

    // The secret is in the keyring ...
    let secret = OsKeyring::new().get(&device_key_account(&installation)).unwrap().unwrap();
    assert_eq!(secret, hex::encode(key.to_bytes()));
    // ... and nowhere in the data directory.
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!bytes.windows(32).any(|w| w == key.to_bytes()), "raw private key found on disk");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&secret), "hex private key found on disk");
    }

    let mut again = open(dir.path());
    assert_eq!(again.device_key().unwrap().to_bytes(), key.to_bytes());
    assert!(again.take_notices().is_empty());
}

#[test]
fn a_lost_keyring_entry_gives_a_new_device_and_old_entries_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = open(dir.path());
    m.set_operator_override(Some("Okafor".into())).unwrap();
    let (incident, first) =
        m.open_incident("Keyring test", true, None, None, muster_core::Severity::Sev3).unwrap();
    let old_device = first[0].device_id();
    let installation = m.installation_id().unwrap();
    drop(m);

    OsKeyring::new().delete(&device_key_account(&installation)).unwrap();

    let mut m = open(dir.path());
    m.set_operator_override(Some("Okafor".into())).unwrap();
    let e = m.add_note(incident, "after the keyring was wiped", None).unwrap();
    assert_ne!(e.device_id(), old_device);
    assert_eq!(e.seq(), 1, "a new device starts its own stream");
    let notices = m.take_notices();
    assert!(notices.iter().any(|n| n.contains("new device key")), "{notices:?}");
    assert!(m.store().verify(&mut |_, _| {}).unwrap().ok());
    assert_eq!(m.state(incident).unwrap().timeline.len(), 4);
}

#[test]
fn installations_side_by_side_have_different_keys() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ka = open(a.path()).device_key().unwrap().to_bytes();
    let kb = open(b.path()).device_key().unwrap().to_bytes();
    assert_ne!(ka, kb);
}

#[test]
fn keyring_errors_have_a_stable_code() {
    let e = StoreError::Keyring("x".into());
    assert_eq!(e.code(), "keyring.unavailable");
}
