//! The kernel keyutils backend (`MUSTER_KEYRING=keyutils`), for headless machines. A separate
//! test binary because the keyring backend is chosen once per process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_store::*;
use muster_store::{device_key_account, SecretStore};

#[test]
fn the_keyutils_backend_holds_the_device_key() {
    std::env::set_var("MUSTER_KEYRING", "keyutils");
    let dir = tempfile::tempdir().unwrap();
    let mut m = Muster::open(dir.path(), OpenOptions::default()).unwrap();
    let key = m.device_key().unwrap().to_bytes();
    let installation = m.installation_id().unwrap();
    let stored = OsKeyring::new().get(&device_key_account(&installation)).unwrap();
    assert_eq!(stored, Some(hex::encode(key)));
    // The same process reopening finds the same key in the session keyring.
    let mut again = Muster::open(dir.path(), OpenOptions::default()).unwrap();
    assert_eq!(again.device_key().unwrap().to_bytes(), key);
}
