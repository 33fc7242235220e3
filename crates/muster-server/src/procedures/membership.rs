//! Incidents and their members: registering an incident (its registrant becomes commander),
//! listing, adding, re-roling and removing members. Server-side access roles only; they are not
//! derived from the log's `role.assigned`.

use muster_core::IncidentId;
use muster_wire::{Member, Role};

use crate::backend::{Access, Data, Procedure};
use crate::error::ServerError;
use crate::storage::{Caller, Put, Result};

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

/// Registers an incident (the caller becomes its commander) or confirms membership.
pub(crate) struct RegisterIncident {
    pub caller: Caller,
    pub incident: IncidentId,
    pub now_ms: i64,
}

impl Procedure for RegisterIncident {
    type Output = Put;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<Put> {
        let RegisterIncident { caller, incident, now_ms } = self;
        if !db.insert_incident_if_absent(incident, caller.user_id, now_ms).await? {
            // Known bounded leak (plan §3): a foreign existing id answers 403 where a fresh one 201.
            require_member(db, &caller, incident).await?;
            return Ok(Put::Existing);
        }
        db.add_membership(incident, caller.user_id, Role::Commander, caller.user_id, now_ms).await?;
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
        match db.role(incident, user_id).await? {
            Some(current) => {
                if current == Role::Commander && role == Role::Member {
                    ensure_another_commander(db, incident, &user).await?;
                }
                // A role change keeps who added them, and when.
                db.set_role(incident, user_id, role).await?;
                Ok(Put::Existing)
            }
            None => {
                // New, or removed before: a membership from now, added by the caller.
                db.add_membership(incident, user_id, role, caller.user_id, now_ms).await?;
                Ok(Put::Created)
            }
        }
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
        db.end_membership(incident, user_id, now_ms).await
    }
}
