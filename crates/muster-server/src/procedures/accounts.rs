//! Accounts: users, one-time enrolment tokens, device login and sessions. Tokens are stored only
//! as their SHA-256, so a copy of the database holds no usable token. A session ends after the
//! idle and absolute limits of its `SessionPolicy`, or when it, its device or its user is
//! revoked (`admin`).

use std::net::IpAddr;

use ed25519_dalek::Signature;
use muster_core::entry::verifying_key;
use muster_wire::{login_proof_message, LoginRequest, LoginResponse, MeResponse};
use rand_core::{OsRng, RngCore};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::{append, AuditEvent};
use crate::backend::{Access, Data, Procedure, SessionEnd};
use crate::error::ServerError;
use crate::storage::{Caller, Result, SessionPolicy};

/// Enrolment tokens are valid for 7 days.
pub(crate) const ENROLMENT_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Session tokens start with this, so that a leaked one is recognisable in logs and scanners.
pub(crate) const SESSION_PREFIX: &str = "mst1_";
/// A session's `last_used_ms` is written at most this often: a read is not a durable write.
const SESSION_TOUCH_MS: i64 = 60_000;

pub(crate) fn sha256(token: &str) -> Vec<u8> {
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
        let token = issue_enrolment(db, user_id, self.now_ms).await?;
        append(db, AuditEvent::admin("user.add", self.now_ms).with(json!({ "user": self.name }))).await?;
        Ok(token)
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
        if db.user_revoked_ms(user_id).await?.flatten().is_some() {
            return Err(ServerError::UserRevoked(self.name));
        }
        let token = issue_enrolment(db, user_id, self.now_ms).await?;
        let event = AuditEvent::admin("user.enrolment", self.now_ms).with(json!({ "user": self.name }));
        append(db, event).await?;
        Ok(token)
    }
}

/// Redeems an enrolment token: checks the proof, registers the device to the user (a key
/// belongs to one user) and opens a session.
pub(crate) struct Login {
    pub req: LoginRequest,
    pub now_ms: i64,
    pub source: Option<IpAddr>,
}

impl Procedure for Login {
    type Output = LoginResponse;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<LoginResponse> {
        let Login { req, now_ms, source } = self;
        // Unknown, revoked users and wrong, used and expired tokens all get the same answer,
        // after the same work: the token is hashed and looked up with the name in one query
        // whether the name exists or not.
        let token_hash = sha256(&req.token);
        let user_id =
            db.open_enrolment(&req.user, &token_hash, now_ms).await?.ok_or(ServerError::BadEnrolment)?;
        check_login_proof(&req)?;
        // A revoked key stays revoked: a thief holding the laptop and a fresh token cannot
        // bring it back.
        if !db.device_revocations(&[req.device_id]).await?.is_empty() {
            return Err(ServerError::DeviceRevoked(req.device_id));
        }
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
        let caller = Caller { user_id, user: req.user.clone(), device: req.device_id, address: source };
        append(db, AuditEvent::by(&caller, "login", None, now_ms)).await?;
        Ok(LoginResponse {
            session_token: session,
            user: req.user,
            device_id: req.device_id,
            server_time_ms: now_ms,
        })
    }
}

/// How a limit reads in a message: "12 h", "14 days", "90 s".
pub(crate) fn span(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s % 86_400 == 0 && s >= 86_400 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 && s >= 3600 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The caller behind a session token, or `BadSession`. Runs on every authenticated request.
/// A session past its idle or absolute limit is ended here, and says why.
pub(crate) struct Authenticate {
    pub token: String,
    pub now_ms: i64,
    pub policy: SessionPolicy,
}

impl Procedure for Authenticate {
    type Output = Caller;
    type Error = ServerError;
    const ACCESS: Access = Access::Statements;

    async fn run<D: Data>(self, db: &mut D) -> Result<Caller> {
        let Authenticate { token, now_ms, policy } = self;
        let token_hash = sha256(&token);
        let session = db.session(&token_hash).await?.ok_or(ServerError::BadSession)?;
        if session.ended {
            return Err(ServerError::BadSession);
        }
        if now_ms >= session.created_ms.saturating_add(policy.lifetime_ms) {
            db.end_session(session.id, now_ms, SessionEnd::Lifetime).await?;
            return Err(ServerError::SessionTimedOut(format!(
                "sessions last at most {} on this server",
                span(policy.lifetime_ms)
            )));
        }
        if now_ms >= session.last_used_ms.saturating_add(policy.idle_ms) {
            db.end_session(session.id, now_ms, SessionEnd::Idle).await?;
            return Err(ServerError::SessionTimedOut(format!(
                "it was not used for {} (automatic logoff)",
                span(policy.idle_ms)
            )));
        }
        // At most every minute, and never more than a tenth of the idle limit late.
        let touch = SESSION_TOUCH_MS.min(policy.idle_ms / 10);
        db.touch_session(&token_hash, now_ms, now_ms.saturating_sub(touch)).await?;
        Ok(Caller { user_id: session.user_id, user: session.user, device: session.device, address: None })
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
        let mut incidents = db.incidents_of(self.caller.user_id).await?;
        // Members' laptops learn of a lost laptop here, on their next sync.
        for incident in &mut incidents {
            incident.revoked_devices = db.revoked_devices_of_incident(incident.id).await?;
        }
        Ok(MeResponse { user: self.caller.user, devices, incidents, server_time_ms: self.now_ms })
    }
}
