//! The server's procedures, each written once for every backend (docs/decisions/0021): the
//! rules of accounts, membership, push, pull and alerts, over the data operations of
//! `crate::backend::Data`. `Storage` is implemented here for every `Database`, so the HTTP
//! layer, the CLI and the tests see one behaviour whatever the database.
//!
//! Where to look: logins, enrolments and sessions in `accounts`; incidents and members (the
//! last-commander rule, the membership history) in `membership`; push in `push` (its plan in
//! `push/plan`); heads and pull in `pull`; alerts in `alerts`; revocation and listing for the
//! administrator in `admin`; the access log in `audit` (reads are recorded here, after them).

mod accounts;
mod admin;
mod alerts;
mod audit;
mod membership;
mod pull;
mod push;

use std::future::Future;
use std::net::IpAddr;

use muster_core::{Entry, Hash32, IncidentId};
use muster_wire::{Alert, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member, Role};
use serde_json::json;

use self::audit::{AuditEvent, RecordAccess};
use crate::audit::AuditRow;
use crate::backend::Database;
use crate::storage::{
    AdminDevice, AdminSession, AdminUser, Caller, ClockPolicy, MembershipEvent, PushOutcome, Put, RawPull,
    Result, Revoked, SessionPolicy, Storage,
};

pub(crate) use self::accounts::span;

/// Records a read that returned something (an empty pull reads nothing).
async fn record_read<B: Database>(
    db: &B,
    caller: &Caller,
    action: &'static str,
    incident: IncidentId,
    detail: serde_json::Value,
) -> Result<()> {
    db.run(RecordAccess(AuditEvent::by(caller, action, Some(incident), now_ms()).with(detail))).await
}

/// Reads are recorded at the server's time (the procedures take theirs from the caller).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl<B: Database> Storage for B {
    const BACKEND: &'static str = B::NAME;

    fn health(&self) -> impl Future<Output = Result<()>> + Send {
        self.run(accounts::Health)
    }

    fn add_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        self.run(accounts::AddUser { name: name.to_owned(), now_ms })
    }

    fn new_enrolment(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        self.run(accounts::NewEnrolment { name: name.to_owned(), now_ms })
    }

    fn login_from(
        &self,
        req: LoginRequest,
        now_ms: i64,
        source: Option<IpAddr>,
    ) -> impl Future<Output = Result<LoginResponse>> + Send {
        self.run(accounts::Login { req, now_ms, source })
    }

    fn authenticate_with(
        &self,
        session_token: &str,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> impl Future<Output = Result<Caller>> + Send {
        self.run(accounts::Authenticate { token: session_token.to_owned(), now_ms, policy })
    }

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send {
        self.run(accounts::Me { caller: caller.clone(), now_ms })
    }

    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
        opening: &Entry,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        let opening = opening.clone();
        self.run(membership::RegisterIncident { caller: caller.clone(), incident, opening, now_ms })
    }

    async fn members(&self, caller: &Caller, incident: IncidentId) -> Result<Vec<Member>> {
        let members = self.run(membership::Members { caller: caller.clone(), incident }).await?;
        record_read(self, caller, "members.read", incident, json!({ "members": members.len() })).await?;
        Ok(members)
    }

    fn set_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        self.run(membership::SetMember {
            caller: caller.clone(),
            incident,
            user: user.to_owned(),
            role,
            now_ms,
        })
    }

    fn remove_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        self.run(membership::RemoveMember { caller: caller.clone(), incident, user: user.to_owned(), now_ms })
    }

    fn heads(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<HeadsResponse>> + Send {
        self.run(pull::Heads { caller: caller.clone(), incident })
    }

    fn push(
        &self,
        caller: &Caller,
        incident: IncidentId,
        entries: Vec<Entry>,
        now_ms: i64,
        clock: ClockPolicy,
    ) -> impl Future<Output = Result<PushOutcome>> + Send {
        push::push(self, caller.clone(), incident, entries, now_ms, clock)
    }

    async fn pull_raw(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> Result<RawPull> {
        let page = self.run(pull::Pull { caller: caller.clone(), incident, after, limit }).await?;
        if let (Some(first), Some(last)) = (page.entries.first(), page.entries.last()) {
            let detail =
                json!({ "entries": page.entries.len(), "from_rank": first.rank, "to_rank": last.rank });
            record_read(self, caller, "pull", incident, detail).await?;
        }
        Ok(page)
    }

    async fn alerts(&self, caller: &Caller, incident: IncidentId, after: u64) -> Result<Vec<Alert>> {
        let alerts = self.run(alerts::Alerts { caller: caller.clone(), incident, after }).await?;
        if !alerts.is_empty() {
            record_read(self, caller, "alerts.read", incident, json!({ "alerts": alerts.len() })).await?;
        }
        Ok(alerts)
    }

    fn users(&self) -> impl Future<Output = Result<Vec<AdminUser>>> + Send {
        self.run(admin::Users)
    }

    fn revoke_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<Revoked>> + Send {
        self.run(admin::RevokeUser { name: name.to_owned(), now_ms })
    }

    fn devices(&self, user: Option<&str>) -> impl Future<Output = Result<Vec<AdminDevice>>> + Send {
        self.run(admin::Devices { user: user.map(str::to_owned) })
    }

    fn revoke_device(
        &self,
        device: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<(AdminDevice, Revoked)>> + Send {
        self.run(admin::RevokeDevice { device: device.to_owned(), now_ms })
    }

    fn sessions(
        &self,
        user: Option<&str>,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> impl Future<Output = Result<Vec<AdminSession>>> + Send {
        self.run(admin::Sessions { user: user.map(str::to_owned), now_ms, policy })
    }

    fn revoke_session(&self, id: i64, now_ms: i64) -> impl Future<Output = Result<()>> + Send {
        self.run(admin::RevokeSession { id, now_ms })
    }

    fn membership_history(
        &self,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<MembershipEvent>>> + Send {
        self.run(membership::MembershipHistory { incident })
    }

    fn audit_rows(&self, after: u64, limit: u64) -> impl Future<Output = Result<Vec<AuditRow>>> + Send {
        self.run(audit::AuditPage { after, limit })
    }

    fn audit_head(&self) -> impl Future<Output = Result<(u64, Hash32)>> + Send {
        self.run(audit::AuditHead)
    }
}
