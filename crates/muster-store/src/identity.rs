//! Device identity: one Ed25519 key pair per installation. The private key lives only in the OS
//! keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows, or the
//! kernel keyutils store when `MUSTER_KEYRING=keyutils`); the database records the public key.

use ed25519_dalek::SigningKey;
use muster_core::DeviceId;

use crate::clock::Entropy;
use crate::error::{Result, StoreError};

/// Where secrets are kept. The real implementation is the OS keyring; nothing else is shipped.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, secret: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The OS keyring, through the `keyring` crate, under service name `muster`.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
}

pub const KEYRING_SERVICE: &str = "muster";

impl OsKeyring {
    /// Selects the backend once per process: `MUSTER_KEYRING=keyutils` picks the Linux kernel
    /// keyring (headless machines with no Secret Service); otherwise the platform default.
    pub fn new() -> Self {
        #[cfg(target_os = "linux")]
        {
            static SELECT: std::sync::Once = std::sync::Once::new();
            SELECT.call_once(|| {
                if std::env::var("MUSTER_KEYRING").as_deref() == Ok("keyutils") {
                    keyring::set_default_credential_builder(keyring::keyutils::default_credential_builder());
                }
            });
        }
        Self { service: KEYRING_SERVICE.to_string() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(|e| keyring_error("open an entry", &e))
    }
}

impl Default for OsKeyring {
    fn default() -> Self {
        Self::new()
    }
}

fn keyring_error(action: &str, e: &keyring::Error) -> StoreError {
    let hint = if cfg!(target_os = "linux") {
        " (is a Secret Service such as gnome-keyring running and unlocked? On a headless machine set \
         MUSTER_KEYRING=keyutils and run inside a keyring session: `keyctl session - <command>`)"
    } else {
        ""
    };
    StoreError::Keyring(format!("cannot {action}: {e}{hint}"))
}

impl SecretStore for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(&format!("read {account}"), &e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<()> {
        self.entry(account)?.set_password(secret).map_err(|e| keyring_error(&format!("store {account}"), &e))
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error("delete a secret", &e)),
        }
    }
}

/// The keyring account holding the device key of one installation.
pub fn device_key_account(installation_id: &str) -> String {
    format!("device-key/{installation_id}")
}

/// The keyring account holding the sync server's session token of one installation.
pub fn server_token_account(installation_id: &str) -> String {
    format!("server-token/{installation_id}")
}

/// Loads this installation's signing key from the keyring, or creates one if the keyring has
/// none. Returns the key and whether it was created now.
pub fn load_or_create_device_key(
    secrets: &dyn SecretStore,
    installation_id: &str,
    entropy: &mut dyn Entropy,
) -> Result<(SigningKey, bool)> {
    let account = device_key_account(installation_id);
    if let Some(secret) = secrets.get(&account)? {
        let bytes: [u8; 32] =
            hex::decode(secret.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
                StoreError::Keyring(format!("the keyring entry {account} does not hold a Muster device key"))
            })?;
        return Ok((SigningKey::from_bytes(&bytes), false));
    }
    let mut seed = [0u8; 32];
    entropy.fill(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    secrets.set(&account, &hex::encode(seed))?;
    // Read back: a keyring that accepts writes but forgets them (no session) must be caught
    // now, not after entries were signed with a key nobody can use again.
    match secrets.get(&account)? {
        Some(s) if s == hex::encode(seed) => Ok((key, true)),
        _ => Err(StoreError::Keyring(format!(
            "the keyring accepted the device key but did not return it ({account})"
        ))),
    }
}

pub fn device_id_of(key: &SigningKey) -> DeviceId {
    DeviceId(key.verifying_key().to_bytes())
}
