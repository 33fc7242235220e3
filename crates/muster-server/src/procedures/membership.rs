//! Incidents and their members: registering an incident (its registrant becomes commander),
//! listing, adding, re-roling and removing members. Server-side access roles only; they are not
//! derived from the log's `role.assigned`. Every grant, role change and removal is kept in
//! `membership_events` with who and when (a re-added member's removal stays on record), and
//! each is a row of the audit log, in the same transaction.

use muster_core::{Entry, IncidentId};
use muster_wire::{Member, Role};
use serde_json::json;

use super::audit::{append, AuditEvent};
use crate::backend::{Access, Data, MembershipAction, Procedure};
use crate::error::ServerError;
use crate::storage::{Caller, MembershipEvent, Put, Result};

/// The caller's current role on the incident; `Forbidden` for a non-member *and* for an
/// unknown incident, so that the two cannot be told apart. Every procedure touching an
/// incident starts here.
pub(crate) async fn require_member<D: Data>(
    db: &mut D,
    caller: &Caller,
    incident: IncidentId,
) -> Result<Role> {
    db.role(incident, caller.user_id).await?.ok_or(ServerError::Forbidden(incident))
}

async fn require_commander<D: Data>(db: &mut D, caller: &Caller, incident: IncidentId) -> Result<()> {
    match require_member(db, caller, incident).await? {
        Role::Commander => Ok(()),
        Role::Member => Err(ServerError::NotCommander(incident)),
    }
}

/// An incident always keeps a commander: `user`, a commander, may stop being one (demoted or
/// removed) only while another commander remains. Callers hold the incident's lock, so the
/// count cannot change before their write.
async fn ensure_another_commander<D: Data>(db: &mut D, incident: IncidentId, user: &str) -> Result<()> {
    if db.commander_count(incident).await? <= 1 {
        return Err(ServerError::LastCommander { incident, user: user.to_owned() });
    }
    Ok(())
}

async fn existing_user<D: Data>(db: &mut D, user: &str) -> Result<i64> {
    db.user_id(user).await?.ok_or_else(|| ServerError::UnknownUser(user.to_owned()))
}

/// Checks the proof of authorship of a registration ("Trust nobody" 2, docs/decisions/0025):
/// `opening` is the opening entry of `incident`, well formed, signed, and signed by the
/// caller's own device (its key proved at login). Someone who only learned the id has no
/// such entry; one signed by another laptop proves that laptop opened it, not the caller.
fn check_opening(caller: &Caller, incident: IncidentId, opening: &Entry) -> Result<()> {
    let bad = |message: String| ServerError::BadOpening { incident, message };
    let env = &opening.envelope;
    if env.incident_id != incident {
        return Err(bad(format!("the entry belongs to incident {}", env.incident_id)));
    }
    if opening.kind() != "incident.opened" || env.seq != 1 {
        return Err(bad(format!("the entry is a {} at seq {}", opening.kind(), env.seq)));
    }
    opening.validate().map_err(|e| bad(e.to_string()))?;
    opening.verify().map_err(|e| bad(e.to_string()))?;
    if env.device_id != caller.device {
        return Err(ServerError::NotOpener(incident));
    }
    Ok(())
}

/// Registers an incident (the caller becomes its commander) or confirms membership; the
/// caller proves it opened the incident with `opening`.
pub(crate) struct RegisterIncident {
    pub caller: Caller,
    pub incident: IncidentId,
    pub opening: Entry,
    pub now_ms: i64,
}

impl Procedure for RegisterIncident {
    type Output = Put;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<Put> {
        let RegisterIncident { caller, incident, opening, now_ms } = self;
        check_opening(&caller, incident, &opening)?;
        if !db.insert_incident_if_absent(incident, caller.user_id, now_ms).await? {
            // Known bounded leak (plan §3): a foreign existing id answers 403 where a fresh one 201.
            require_member(db, &caller, incident).await?;
            return Ok(Put::Existing);
        }
        db.add_membership(incident, caller.user_id, Role::Commander, caller.user_id, now_ms).await?;
        let granted = MembershipAction::Granted;
        let (me, role) = (caller.user_id, Some(Role::Commander));
        db.insert_membership_event(incident, me, granted, role, Some(me), now_ms).await?;
        append(db, AuditEvent::by(&caller, "incident.register", Some(incident), now_ms)).await?;
        Ok(Put::Created)
    }
}

pub(crate) struct Members {
    pub caller: Caller,
    pub incident: IncidentId,
}

impl Procedure for Members {
    type Output = Vec<Member>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<Member>> {
        require_member(db, &self.caller, self.incident).await?;
        db.members(self.incident).await
    }
}

/// Adds a member or changes their role (commanders only).
pub(crate) struct SetMember {
    pub caller: Caller,
    pub incident: IncidentId,
    pub user: String,
    pub role: Role,
    pub now_ms: i64,
}

impl Procedure for SetMember {
    type Output = Put;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<Put> {
        let SetMember { caller, incident, user, role, now_ms } = self;
        // The incident's lock makes the last-commander check hold against concurrent changes.
        db.lock_incident(incident).await?;
        require_commander(db, &caller, incident).await?;
        let user_id = existing_user(db, &user).await?;
        let (put, action) = match db.role(incident, user_id).await? {
            Some(current) => {
                if current == Role::Commander && role == Role::Member {
                    ensure_another_commander(db, incident, &user).await?;
                }
                // A role change keeps who added them, and when.
                db.set_role(incident, user_id, role).await?;
                (Put::Existing, MembershipAction::RoleChanged)
            }
            None => {
                // New, or removed before: a membership from now, added by the caller. The
                // removal stays in the history.
                db.add_membership(incident, user_id, role, caller.user_id, now_ms).await?;
                (Put::Created, MembershipAction::Granted)
            }
        };
        db.insert_membership_event(incident, user_id, action, Some(role), Some(caller.user_id), now_ms)
            .await?;
        let detail = json!({ "user": user, "role": role.as_str(), "change": action.as_str() });
        append(db, AuditEvent::by(&caller, "member.set", Some(incident), now_ms).with(detail)).await?;
        Ok(put)
    }
}

/// Removes a member (commanders only; never the last commander).
pub(crate) struct RemoveMember {
    pub caller: Caller,
    pub incident: IncidentId,
    pub user: String,
    pub now_ms: i64,
}

impl Procedure for RemoveMember {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        let RemoveMember { caller, incident, user, now_ms } = self;
        db.lock_incident(incident).await?;
        require_commander(db, &caller, incident).await?;
        let user_id = existing_user(db, &user).await?;
        match db.role(incident, user_id).await? {
            None => return Err(ServerError::NotMember { incident, user }),
            Some(Role::Commander) => ensure_another_commander(db, incident, &user).await?,
            Some(Role::Member) => {}
        }
        db.end_membership(incident, user_id, now_ms).await?;
        let removed = MembershipAction::Removed;
        db.insert_membership_event(incident, user_id, removed, None, Some(caller.user_id), now_ms).await?;
        let detail = json!({ "user": user });
        append(db, AuditEvent::by(&caller, "member.remove", Some(incident), now_ms).with(detail)).await
    }
}

/// Every grant, role change and removal of the incident's memberships (administration).
pub(crate) struct MembershipHistory {
    pub incident: IncidentId,
}

impl Procedure for MembershipHistory {
    type Output = Vec<MembershipEvent>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<MembershipEvent>> {
        db.membership_history(self.incident).await
    }
}
