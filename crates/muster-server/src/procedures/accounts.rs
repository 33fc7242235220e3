//! Accounts: users, one-time enrolment tokens, device login and sessions. Tokens are stored only
//! as their SHA-256, so a copy of the database holds no usable token.

use ed25519_dalek::Signature;
use muster_core::entry::verifying_key;
use muster_wire::{login_proof_message, LoginRequest, LoginResponse, MeResponse};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::backend::{Access, Data, Procedure};
use crate::error::ServerError;
use crate::storage::{Caller, Result};

/// Enrolment tokens are valid for 7 days.
pub(crate) const ENROLMENT_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Session tokens start with this, so that a leaked one is recognisable in logs and scanners.
pub(crate) const SESSION_PREFIX: &str = "mst1_";
/// A session's `last_used_ms` is written at most this often: a read is not a durable write.
const SESSION_TOUCH_MS: i64 = 60_000;

fn sha256(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_hex_32() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn new_session_token() -> String {
    format!("{SESSION_PREFIX}{}", random_hex_32())
}

fn valid_user_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 64 && !name.chars().any(char::is_control)
}

/// The login proof: a signature by the device key over the user and the enrolment token.
fn check_login_proof(req: &LoginRequest) -> Result<()> {
    let key = verifying_key(&req.device_id).map_err(|_| ServerError::BadProof)?;
    let sig: [u8; 64] =
        hex::decode(&req.proof).ok().and_then(|b| b.try_into().ok()).ok_or(ServerError::BadProof)?;
    key.verify_strict(&login_proof_message(&req.user, &req.token), &Signature::from_bytes(&sig))
        .map_err(|_| ServerError::BadProof)
}

/// Issues a one-time enrolment token for the user and returns it (the only time it is shown).
async fn issue_enrolment<D: Data>(db: &mut D, user_id: i64, now_ms: i64) -> Result<String> {
    let token = random_hex_32();
    db.insert_enrolment(&sha256(&token), user_id, now_ms, now_ms.saturating_add(ENROLMENT_TTL_MS)).await?;
    Ok(token)
}

/// `/healthz`: whether the database answers.
pub(crate) struct Health;

impl Procedure for Health {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Statements;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        db.ping().await.map_err(|e| ServerError::Unavailable(e.to_string()))
    }
}

pub(crate) struct AddUser {
    pub name: String,
    pub now_ms: i64,
}

impl Procedure for AddUser {
    type Output = String;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<String> {
        if !valid_user_name(&self.name) {
            return Err(ServerError::BadUserName);
        }
        let user_id = db
            .insert_user(&self.name, self.now_ms)
            .await?
            .ok_or_else(|| ServerError::UserExists(self.name.clone()))?;
        issue_enrolment(db, user_id, self.now_ms).await
    }
}

/// Another enrolment token for an existing user (a second device).
pub(crate) struct NewEnrolment {
    pub name: String,
    pub now_ms: i64,
}

impl Procedure for NewEnrolment {
    type Output = String;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<String> {
        let user_id =
            db.user_id(&self.name).await?.ok_or_else(|| ServerError::UnknownUser(self.name.clone()))?;
        issue_enrolment(db, user_id, self.now_ms).await
    }
}

/// Redeems an enrolment token: checks the proof, registers the device to the user (a key
/// belongs to one user) and opens a session.
pub(crate) struct Login {
    pub req: LoginRequest,
    pub now_ms: i64,
}

impl Procedure for Login {
    type Output = LoginResponse;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<LoginResponse> {
        let Login { req, now_ms } = self;
        // Unknown user, wrong, used and expired tokens all get the same answer.
        let user_id = db.user_id(&req.user).await?.ok_or(ServerError::BadEnrolment)?;
        let token_hash = sha256(&req.token);
        if !db.enrolment_is_open(&token_hash, user_id, now_ms).await? {
            return Err(ServerError::BadEnrolment);
        }
        check_login_proof(&req)?;
        // Insert first, then read the owner: concurrent logins of one key by two users cannot
        // both register it.
        db.insert_device_if_absent(req.device_id, user_id, &req.device_name, now_ms).await?;
        match db.device_owner(req.device_id).await? {
            Some(owner) if owner == user_id => {}
            Some(_) => return Err(ServerError::DeviceOtherUser(req.device_id)),
            None => {
                return Err(ServerError::Internal(
                    "a device registered in this transaction is missing".into(),
                ))
            }
        }
        db.mark_enrolment_used(&token_hash, now_ms).await?;
        let session = new_session_token();
        db.insert_session(&sha256(&session), user_id, req.device_id, now_ms).await?;
        Ok(LoginResponse {
            session_token: session,
            user: req.user,
            device_id: req.device_id,
            server_time_ms: now_ms,
        })
    }
}

/// The caller behind a session token, or `BadSession`. Runs on every authenticated request.
pub(crate) struct Authenticate {
    pub token: String,
    pub now_ms: i64,
}

impl Procedure for Authenticate {
    type Output = Caller;
    type Error = ServerError;
    const ACCESS: Access = Access::Statements;

    async fn run<D: Data>(self, db: &mut D) -> Result<Caller> {
        let token_hash = sha256(&self.token);
        let session = db.session(&token_hash).await?.ok_or(ServerError::BadSession)?;
        db.touch_session(&token_hash, self.now_ms, self.now_ms.saturating_sub(SESSION_TOUCH_MS)).await?;
        Ok(Caller { user_id: session.user_id, user: session.user, device: session.device })
    }
}

/// The caller's devices and incidents.
pub(crate) struct Me {
    pub caller: Caller,
    pub now_ms: i64,
}

impl Procedure for Me {
    type Output = MeResponse;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<MeResponse> {
        let devices = db.devices_of(self.caller.user_id).await?;
        let incidents = db.incidents_of(self.caller.user_id).await?;
        Ok(MeResponse { user: self.caller.user, devices, incidents, server_time_ms: self.now_ms })
    }
}
