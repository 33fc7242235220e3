//! The server's procedures, each written once for every backend (docs/decisions/0021): the
//! rules of accounts, membership, push, pull and alerts, over the data operations of
//! `crate::backend::Data`. `Storage` is implemented here for every `Database`, so the HTTP
//! layer, the CLI and the tests see one behaviour whatever the database.
//!
//! Where to look: logins, enrolments and sessions in `accounts`; incidents and members (the
//! last-commander rule) in `membership`; push in `push` (its plan in `push/plan`); heads and
//! pull in `pull`; alerts in `alerts`.

mod accounts;
mod alerts;
mod membership;
mod pull;
mod push;

use std::future::Future;

use muster_core::{Entry, IncidentId};
use muster_wire::{Alert, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member, Role};

use crate::backend::Database;
use crate::storage::{Caller, ClockPolicy, PushOutcome, Put, RawPull, Result, Storage};

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

    fn login(&self, req: LoginRequest, now_ms: i64) -> impl Future<Output = Result<LoginResponse>> + Send {
        self.run(accounts::Login { req, now_ms })
    }

    fn authenticate(&self, session_token: &str, now_ms: i64) -> impl Future<Output = Result<Caller>> + Send {
        self.run(accounts::Authenticate { token: session_token.to_owned(), now_ms })
    }

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send {
        self.run(accounts::Me { caller: caller.clone(), now_ms })
    }

    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        self.run(membership::RegisterIncident { caller: caller.clone(), incident, now_ms })
    }

    fn members(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<Member>>> + Send {
        self.run(membership::Members { caller: caller.clone(), incident })
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

    fn pull_raw(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<RawPull>> + Send {
        self.run(pull::Pull { caller: caller.clone(), incident, after, limit })
    }

    fn alerts(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Alert>>> + Send {
        self.run(alerts::Alerts { caller: caller.clone(), incident, after })
    }
}
