//! The operations people perform, as one library API for the CLI, the desktop app and tests.
//! Each checks its input against the current state, then appends signed entries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use ed25519_dalek::SigningKey;
use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::fold::Commander;
use muster_core::prompts::{prompt_clocks, PromptState};
use muster_core::{
    DeviceId, Entry, EntryBody, EntryId, IncidentId, IncidentState, IncidentStatus, Position, Severity,
    ValidationError,
};

use crate::clock::{random_10, Clock, Entropy, OsEntropy, SystemClock};
use crate::error::{Result, StoreError};
use crate::identity::{
    device_id_of, load_or_create_device_key, server_token_account, OsKeyring, SecretStore,
};
use crate::store::{Draft, IncidentSummary, Store};

pub const DB_FILE: &str = "muster.sqlite3";
const SETTING_INSTALLATION: &str = "installation.id";
const SETTING_DEVICE: &str = "device.id";
const SETTING_OPERATOR: &str = "operator.name";
const SETTING_CURRENT_INCIDENT: &str = "incident.current";
/// How far in the future an event time may be (clock differences between people's watches).
const FUTURE_TOLERANCE_MIN: i64 = 5;

pub struct OpenOptions {
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn SecretStore>,
    pub entropy: Box<dyn Entropy>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            clock: Arc::new(SystemClock::new()),
            secrets: Arc::new(OsKeyring::new()),
            entropy: Box::new(OsEntropy),
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions").finish_non_exhaustive()
    }
}

/// A decision as a person states it.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    /// Who holds the authority for it; defaults to the operator in their current position.
    pub authority: Option<String>,
    /// A reference to the decision this one replaces.
    pub supersedes: Option<String>,
    /// Positions that must approve it.
    pub approvals_required: Vec<Position>,
}

/// What the outgoing incident commander writes into a handover briefing; the roster, open
/// decisions and overdue status updates are added from the incident's state.
#[derive(Debug, Clone, Default)]
pub struct HandoverInput {
    pub to: String,
    pub situation: String,
    pub objectives: String,
}

/// One installation of Muster: its database, its device key (in the OS keyring) and its operator.
pub struct Muster {
    store: Store,
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    key: Option<SigningKey>,
    operator_override: Option<String>,
    notices: Vec<String>,
}

impl std::fmt::Debug for Muster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Muster").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

impl Muster {
    pub fn open(data_dir: &Path, options: OpenOptions) -> Result<Muster> {
        let mut store = Store::open_with_entropy(&data_dir.join(DB_FILE), options.clock, options.entropy)?;
        if store.setting(SETTING_INSTALLATION)?.is_none() {
            let mut b = [0u8; 16];
            store.entropy().fill(&mut b);
            let id = uuid::Builder::from_random_bytes(b).into_uuid().to_string();
            store.set_setting(SETTING_INSTALLATION, &id)?;
        }
        Ok(Muster {
            store,
            data_dir: data_dir.to_path_buf(),
            secrets: options.secrets,
            key: None,
            operator_override: None,
            notices: Vec::new(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn clock(&self) -> &dyn Clock {
        self.store.clock()
    }

    /// Messages for the person (for example: a new device key was created).
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    pub fn installation_id(&self) -> Result<String> {
        self.store
            .setting(SETTING_INSTALLATION)?
            .ok_or_else(|| StoreError::Refused("installation id missing".into()))
    }

    /// Writes as `person` instead of the configured operator (for one process).
    pub fn set_operator_override(&mut self, person: Option<String>) -> Result<()> {
        if let Some(p) = &person {
            validate_person("--as", p)?;
        }
        self.operator_override = person.map(|p| p.trim().to_string());
        Ok(())
    }

    pub fn set_operator_name(&self, name: &str) -> Result<()> {
        validate_person("name", name)?;
        self.store.set_setting(SETTING_OPERATOR, name.trim())
    }

    /// Who is writing: `--as`, else the configured name, else the OS user name.
    pub fn operator(&self) -> Result<String> {
        if let Some(p) = &self.operator_override {
            return Ok(p.clone());
        }
        if let Some(name) = self.store.setting(SETTING_OPERATOR)? {
            return Ok(name);
        }
        Ok(std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "operator".into()))
    }

    /// This installation's device id, if a key was ever created (no keyring access).
    pub fn device_id(&self) -> Result<Option<DeviceId>> {
        Ok(self.store.setting(SETTING_DEVICE)?.and_then(|s| s.parse().ok()))
    }

    /// The signing key, from the OS keyring (created on first use).
    pub fn device_key(&mut self) -> Result<&SigningKey> {
        if self.key.is_none() {
            let installation = self.installation_id()?;
            let (key, created) =
                load_or_create_device_key(self.secrets.as_ref(), &installation, self.store.entropy())?;
            let id = device_id_of(&key);
            let recorded = self.device_id()?;
            if created {
                if let Some(old) = recorded.filter(|old| *old != id) {
                    self.notices.push(format!(
                        "the OS keyring held no key for this installation, so a new device key {} was created; \
                         entries signed by the previous key {} stay valid",
                        id.short(),
                        old.short()
                    ));
                }
            }
            if recorded != Some(id) {
                self.store.set_setting(SETTING_DEVICE, &id.to_string())?;
            }
            self.key = Some(key);
        }
        self.key.as_ref().ok_or_else(|| StoreError::Keyring("device key unavailable".into()))
    }

    /// The sync server's session token of this installation, from the OS keyring.
    pub fn session_token(&self) -> Result<Option<String>> {
        self.secrets.get(&server_token_account(&self.installation_id()?))
    }

    /// Keeps the sync server's session token in the OS keyring (never in a file or the database).
    pub fn set_session_token(&self, token: &str) -> Result<()> {
        let account = server_token_account(&self.installation_id()?);
        self.secrets.set(&account, token)?;
        match self.secrets.get(&account)? {
            Some(t) if t == token => Ok(()),
            _ => Err(StoreError::Keyring(format!(
                "the keyring accepted the session token but did not return it ({account})"
            ))),
        }
    }

    /// Forgets the sync server's session token (logging out); the device key stays.
    pub fn clear_session_token(&self) -> Result<()> {
        self.secrets.delete(&server_token_account(&self.installation_id()?))
    }

    // ----- incidents -------------------------------------------------------------------------

    pub fn incidents(&self) -> Result<Vec<IncidentSummary>> {
        self.store.incidents()
    }

    pub fn state(&self, incident: IncidentId) -> Result<IncidentState> {
        self.store.state(incident)
    }

    /// The state without the timeline: roster, prompts, decisions, handovers.
    pub fn structure(&self, incident: IncidentId) -> Result<IncidentState> {
        self.store.structure(incident)
    }

    /// Seeds the demo ransomware incident (see `demo`) and makes it current.
    pub fn load_demo(&mut self) -> Result<(IncidentId, usize)> {
        let seeded = crate::demo::seed_demo(&mut self.store)?;
        self.use_incident(seeded.0)?;
        Ok(seeded)
    }

    /// Resolves a full incident id or a unique suffix of one.
    pub fn resolve_incident(&self, reference: &str) -> Result<IncidentId> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<IncidentId>() {
            if self.store.incident_statuses()?.iter().any(|(i, _)| *i == id) {
                return Ok(id);
            }
            return Err(StoreError::NotFound { what: "incident", value: reference.to_string() });
        }
        let matches: Vec<IncidentId> = self
            .store
            .incident_statuses()?
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| id.matches_ref(reference))
            .collect();
        one_match("incident", reference, matches, |id| id.short())
    }

    /// The incident a command applies to: the one named, else the current one.
    pub fn current_incident(&self, explicit: Option<&str>) -> Result<IncidentId> {
        if let Some(r) = explicit {
            return self.resolve_incident(r);
        }
        let statuses = self.store.incident_statuses()?;
        if let Some(id) =
            self.store.setting(SETTING_CURRENT_INCIDENT)?.and_then(|s| s.parse::<IncidentId>().ok())
        {
            if statuses.iter().any(|(i, _)| *i == id) {
                return Ok(id);
            }
        }
        let open: Vec<IncidentId> =
            statuses.into_iter().filter(|(_, s)| *s == IncidentStatus::Open).map(|(id, _)| id).collect();
        match open.as_slice() {
            [only] => Ok(*only),
            [] => Err(StoreError::Refused(
                "no incident selected and none is open: open one with `muster incident open --title ...`"
                    .into(),
            )),
            _ => Err(StoreError::Refused(
                "several incidents are open: choose one with --incident ID or `muster incident use ID`"
                    .into(),
            )),
        }
    }

    pub fn use_incident(&self, incident: IncidentId) -> Result<()> {
        self.store.set_setting(SETTING_CURRENT_INCIDENT, &incident.to_string())
    }

    /// Resolves a full entry id or a unique suffix (`#1a2b3c4d`) within an incident.
    pub fn resolve_entry(&self, incident: IncidentId, reference: &str) -> Result<Entry> {
        let reference = reference.trim();
        let direct = reference.parse::<EntryId>().ok();
        let candidates: Vec<EntryId> = match direct {
            Some(id) => vec![id],
            None => {
                let state_ids = self.timeline_ids(incident)?;
                state_ids.into_iter().filter(|id| id.matches_ref(reference)).collect()
            }
        };
        let id = one_match("entry", reference, candidates, |id| id.short())?;
        match self.store.entry(id)? {
            Some(e) if e.incident_id() == incident => Ok(e),
            _ => Err(StoreError::NotFound { what: "entry in this incident", value: reference.to_string() }),
        }
    }

    fn timeline_ids(&self, incident: IncidentId) -> Result<Vec<EntryId>> {
        let mut stmt = self.store.connection().prepare("SELECT id FROM entries WHERE incident_id = ?1")?;
        let rows = stmt.query_map([&incident.as_bytes()[..]], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(b) = crate::rows::uuid_bytes(&r?) {
                out.push(EntryId::from_bytes(b));
            }
        }
        Ok(out)
    }

    /// Opens an incident and puts its commander in post (the operator unless named), as one
    /// atomic write. The new incident becomes the current one.
    pub fn open_incident(
        &mut self,
        title: &str,
        drill: bool,
        description: Option<&str>,
        commander: Option<&str>,
        severity: Severity,
    ) -> Result<(IncidentId, Vec<Entry>)> {
        let operator = self.operator()?;
        let commander = commander.map(str::trim).unwrap_or(&operator).to_string();
        validate_person("commander", &commander)?;
        let opened = EntryBody::IncidentOpened(IncidentOpened {
            title: title.trim().to_string(),
            drill,
            description: description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
        });
        let assign = EntryBody::RoleAssigned(RoleAssigned {
            position: Position::IncidentCommander,
            person: commander.clone(),
            supersedes: vec![],
        });
        opened.validate()?;
        assign.validate()?;
        let now = self.clock().now();
        let random = random_10(self.store.entropy());
        let incident = IncidentId::from_parts(u64::try_from(now.timestamp_millis()).unwrap_or(0), random);
        let position = (operator == commander).then_some(Position::IncidentCommander);
        let author = Author { person: operator, position };
        let severity = EntryBody::SeveritySet(SeveritySet { severity, rationale: None });
        let entries = self.append(incident, author, vec![opened, assign, severity])?;
        self.use_incident(incident)?;
        Ok((incident, entries))
    }

    pub(crate) fn open_state(&self, incident: IncidentId) -> Result<IncidentState> {
        let state = self.structure(incident)?;
        if state.status == IncidentStatus::Closed {
            return Err(StoreError::Refused(format!(
                "incident {} is closed; reopen it first (`muster incident reopen --reason ...`)",
                incident.short()
            )));
        }
        Ok(state)
    }

    pub(crate) fn author_in(&self, state: &IncidentState) -> Result<Author> {
        let person = self.operator()?;
        let position = state.positions_of(&person).into_iter().next();
        Ok(Author { person, position })
    }

    pub(crate) fn append(
        &mut self,
        incident: IncidentId,
        author: Author,
        bodies: Vec<EntryBody>,
    ) -> Result<Vec<Entry>> {
        for b in &bodies {
            b.validate()?;
        }
        let drafts: Vec<Draft> = bodies
            .into_iter()
            .map(|body| Draft { incident_id: incident, author: author.clone(), body })
            .collect();
        self.device_key()?;
        let key = self.key.clone().ok_or_else(|| StoreError::Keyring("device key unavailable".into()))?;
        self.store.append(&key, drafts)
    }

    pub(crate) fn append_one(
        &mut self,
        incident: IncidentId,
        state: &IncidentState,
        body: EntryBody,
    ) -> Result<Entry> {
        let author = self.author_in(state)?;
        let mut written = self.append(incident, author, vec![body])?;
        written.pop().ok_or_else(|| StoreError::Refused("nothing was written".into()))
    }

    pub fn close_incident(&mut self, incident: IncidentId, summary: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        self.append_one(
            incident,
            &state,
            EntryBody::IncidentClosed(IncidentClosed { summary: summary.trim().into() }),
        )
    }

    pub fn reopen_incident(&mut self, incident: IncidentId, reason: &str) -> Result<Entry> {
        let state = self.structure(incident)?;
        if state.status != IncidentStatus::Closed {
            return Err(StoreError::Refused(format!("incident {} is not closed", incident.short())));
        }
        self.append_one(
            incident,
            &state,
            EntryBody::IncidentReopened(IncidentReopened { reason: reason.trim().into() }),
        )
    }

    /// Checks an event time a person gave: not in the future beyond a few minutes.
    pub(crate) fn check_event_time(&self, field: &str, t: DateTime<FixedOffset>) -> Result<EventTime> {
        let now = self.clock().now();
        if t.with_timezone(&Utc) > now + Duration::minutes(FUTURE_TOLERANCE_MIN) {
            return Err(ValidationError::new(
                field,
                t.to_rfc3339(),
                "is in the future; an event time says when something already happened",
            )
            .into());
        }
        let seconds = t.timestamp();
        let whole =
            DateTime::from_timestamp(seconds, 0).unwrap_or(t.with_timezone(&Utc)).with_timezone(t.offset());
        Ok(EventTime(whole))
    }

    pub fn add_note(
        &mut self,
        incident: IncidentId,
        text: &str,
        occurred_at: Option<DateTime<FixedOffset>>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let occurred_at = occurred_at.map(|t| self.check_event_time("occurred_at", t)).transpose()?;
        self.append_one(
            incident,
            &state,
            EntryBody::Note(Note { text: text.trim_end().to_string(), occurred_at }),
        )
    }

    /// Assigns a position. The assignment supersedes everyone holding it now (so a handover, or
    /// the resolution of a conflict, is a single entry).
    pub fn assign_role(&mut self, incident: IncidentId, position: Position, person: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let person = person.trim();
        validate_person("person", person)?;
        let holders = state.holders(&position);
        if holders.len() == 1 && holders[0].person == person {
            return Err(StoreError::Refused(format!("{person} already holds {position}")));
        }
        let supersedes = holders.iter().map(|a| a.entry_id).collect();
        self.append_one(
            incident,
            &state,
            EntryBody::RoleAssigned(RoleAssigned { position, person: person.to_string(), supersedes }),
        )
    }

    /// Relieves the holder(s) of a position: `person` if given, else everyone holding it.
    pub fn relieve_role(
        &mut self,
        incident: IncidentId,
        position: Position,
        person: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let holders: Vec<_> = state
            .holders(&position)
            .into_iter()
            .filter(|a| person.is_none_or(|p| a.person == p.trim()))
            .collect();
        if holders.is_empty() {
            return Err(match person {
                Some(p) => StoreError::Refused(format!("{} does not hold {position}", p.trim())),
                None => StoreError::Refused(format!("nobody holds {position}")),
            });
        }
        let names: Vec<&str> = holders.iter().map(|a| a.person.as_str()).collect();
        let body = EntryBody::RoleRelieved(RoleRelieved {
            position,
            person: names.join(", "),
            supersedes: holders.iter().map(|a| a.entry_id).collect(),
            reason: reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        });
        self.append_one(incident, &state, body)
    }

    /// Posts a status update, for `position` or else the position the operator holds.
    pub fn post_status(
        &mut self,
        incident: IncidentId,
        position: Option<Position>,
        conditions: &str,
        actions: &str,
        needs: &str,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let author = self.author_in(&state)?;
        let position = position.or(author.position);
        let body = EntryBody::StatusUpdate(StatusUpdate {
            position,
            conditions: conditions.trim().into(),
            actions: actions.trim().into(),
            needs: needs.trim().into(),
        });
        self.append_one(incident, &state, body)
    }

    /// Sets how often status updates are owed: by one position, by every position, or by every
    /// position while the incident is at `severity`.
    pub fn set_cadence(
        &mut self,
        incident: IncidentId,
        position: Option<Position>,
        severity: Option<Severity>,
        minutes: u32,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        self.append_one(
            incident,
            &state,
            EntryBody::CadenceSet(CadenceSet { position, severity, interval_minutes: minutes }),
        )
    }

    /// Changes the severity. Lowering it (towards SEV4) needs a rationale: a downgrade relaxes
    /// every status-update cadence and the people reading the log must see why.
    pub fn set_severity(
        &mut self,
        incident: IncidentId,
        severity: Severity,
        rationale: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let rationale = rationale.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if let Some(current) = state.severity() {
            if current == severity {
                return Err(StoreError::Refused(format!("the incident is already {severity}")));
            }
            if severity.rank() > current.rank() && rationale.is_none() {
                return Err(ValidationError::new(
                    "rationale",
                    "",
                    format!("lowering the severity from {current} to {severity} needs a rationale"),
                )
                .into());
            }
        }
        self.append_one(incident, &state, EntryBody::SeveritySet(SeveritySet { severity, rationale }))
    }

    /// Puts off the status update `position` owes, by `minutes`, with a reason.
    pub fn snooze_status(
        &mut self,
        incident: IncidentId,
        position: Position,
        minutes: u32,
        reason: &str,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        if state.holders(&position).is_empty() {
            return Err(StoreError::Refused(format!("nobody holds {position}, so no update is owed")));
        }
        let body =
            EntryBody::StatusSnoozed(StatusSnoozed { position, minutes, reason: reason.trim().into() });
        self.append_one(incident, &state, body)
    }

    /// The HICS 201 briefing for a handover, from the state and what the commander wrote.
    pub fn briefing(&self, state: &IncidentState, situation: &str, objectives: &str) -> Briefing {
        let now_ms = self.clock().now().timestamp_millis();
        let roster = state
            .roster()
            .into_iter()
            .flat_map(|line| {
                line.holders.into_iter().map(|a| BriefedRole { position: a.position, person: a.person })
            })
            .collect();
        let open_decisions = state
            .decisions
            .iter()
            .filter(|d| d.is_open())
            .map(|d| BriefedDecision {
                decision: d.entry_id,
                question: d.question.clone(),
                choice: d.choice.clone(),
                awaiting: d.awaiting(),
            })
            .collect();
        let overdue_prompts = prompt_clocks(state)
            .into_iter()
            .filter(|c| c.state(now_ms) != PromptState::Waiting)
            .filter_map(|c| {
                let due = DateTime::from_timestamp_millis(c.due_ms)?.fixed_offset();
                Some(BriefedPrompt {
                    position: c.position,
                    holder: c.holders.join(", "),
                    due: EventTime(due),
                })
            })
            .collect();
        Briefing {
            situation: situation.trim().into(),
            objectives: objectives.trim().into(),
            severity: state.severity(),
            roster,
            open_decisions,
            overdue_prompts,
        }
    }

    /// The incident commander offers command to another person, with the briefing.
    pub fn offer_handover(&mut self, incident: IncidentId, input: &HandoverInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let to = input.to.trim();
        validate_person("to", to)?;
        match state.commander() {
            Commander::Held(ic) if ic.person == operator => {
                if ic.person == to {
                    return Err(ValidationError::new("to", to, "already commands this incident").into());
                }
            }
            Commander::Held(ic) => {
                return Err(StoreError::Refused(format!(
                    "only the incident commander ({}) can offer command; you are {operator}",
                    ic.person
                )))
            }
            Commander::Vacant => {
                return Err(StoreError::Refused("nobody commands this incident: assign a commander".into()))
            }
            Commander::Conflict(_) => {
                return Err(StoreError::Refused(
                    "two commanders stand (a conflict): resolve it before handing over".into(),
                ))
            }
        }
        if let Some(p) = state.pending_handover() {
            return Err(StoreError::Refused(format!(
                "command is already offered to {} (#{}): withdraw that offer first",
                p.to,
                p.offer.entry_id.short()
            )));
        }
        let briefing = self.briefing(&state, &input.situation, &input.objectives);
        let author = Author { person: operator, position: Some(Position::IncidentCommander) };
        let body = EntryBody::HandoverOffered(HandoverOffered { to: to.to_string(), briefing });
        body.validate()?;
        let mut written = self.append(incident, author, vec![body])?;
        written.pop().ok_or_else(|| StoreError::Refused("nothing was written".into()))
    }

    /// The person the pending offer names accepts command: the acceptance and the assignment
    /// that puts them in command are one atomic write.
    pub fn accept_handover(&mut self, incident: IncidentId) -> Result<Vec<Entry>> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let Some(offer) = state.pending_handover() else {
            return Err(StoreError::Refused("no command handover is waiting for acceptance".into()));
        };
        if offer.to != operator {
            return Err(StoreError::Refused(format!(
                "command was offered to {}, not to you ({operator})",
                offer.to
            )));
        }
        let supersedes = state.holders(&Position::IncidentCommander).iter().map(|a| a.entry_id).collect();
        let bodies = vec![
            EntryBody::HandoverAccepted(HandoverAccepted { offer: offer.offer.entry_id }),
            EntryBody::RoleAssigned(RoleAssigned {
                position: Position::IncidentCommander,
                person: operator.clone(),
                supersedes,
            }),
        ];
        let position = state.positions_of(&operator).into_iter().next();
        self.append(incident, Author { person: operator, position }, bodies)
    }

    /// Withdraws (the outgoing commander) or declines (the person named) the pending offer.
    pub fn cancel_handover(&mut self, incident: IncidentId, reason: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let Some(offer) = state.pending_handover() else {
            return Err(StoreError::Refused("no command handover is waiting for acceptance".into()));
        };
        if offer.to != operator && offer.offer.by.person != operator {
            return Err(StoreError::Refused(format!(
                "only {} (offering) or {} (offered) can cancel this handover",
                offer.offer.by.person, offer.to
            )));
        }
        let body = EntryBody::HandoverCancelled(HandoverCancelled {
            offer: offer.offer.entry_id,
            reason: reason.trim().into(),
        });
        self.append_one(incident, &state, body)
    }

    /// The operator approves a decision for a position they hold.
    pub fn approve_decision(
        &mut self,
        incident: IncidentId,
        decision: &str,
        position: Position,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let target = self.resolve_entry(incident, decision)?;
        let Some(d) = state.decisions.iter().find(|d| d.entry_id == target.id()) else {
            return Err(ValidationError::new("decision", decision, "is not a decision").into());
        };
        if !d.superseded_by.is_empty() {
            return Err(StoreError::Refused(format!("decision #{} was superseded", d.entry_id.short())));
        }
        if !d.approvals_required.contains(&position) {
            return Err(ValidationError::new(
                "position",
                position.slug(),
                "this decision does not ask for that position's approval",
            )
            .into());
        }
        if d.approvals.iter().any(|a| a.position == position) {
            return Err(StoreError::Refused(format!("{position} already approved this decision")));
        }
        if !state.positions_of(&operator).contains(&position) {
            return Err(StoreError::Refused(format!("you ({operator}) do not hold {position}")));
        }
        let body = EntryBody::DecisionApproved(DecisionApproved {
            decision: d.entry_id,
            position: position.clone(),
        });
        self.append(incident, Author { person: operator, position: Some(position) }, vec![body])?
            .pop()
            .ok_or_else(|| StoreError::Refused("nothing was written".into()))
    }

    pub fn record_decision(&mut self, incident: IncidentId, input: DecisionInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let author = self.author_in(&state)?;
        let authority = match &input.authority {
            Some(person) => {
                validate_person("authority", person)?;
                Author {
                    person: person.trim().into(),
                    position: state.positions_of(person.trim()).into_iter().next(),
                }
            }
            None => author,
        };
        let supersedes = match &input.supersedes {
            None => vec![],
            Some(r) => {
                let target = self.resolve_entry(incident, r)?;
                if target.kind() != KIND_DECISION_RECORDED {
                    return Err(ValidationError::new("supersedes", r, "is not a decision").into());
                }
                if state.decisions.iter().any(|d| d.entry_id == target.id() && !d.superseded_by.is_empty()) {
                    return Err(StoreError::Refused(format!(
                        "decision #{} was already superseded",
                        target.id().short()
                    )));
                }
                vec![target.id()]
            }
        };
        let mut options: Vec<String> = input.options.iter().map(|o| o.trim().to_string()).collect();
        let choice = input.choice.trim().to_string();
        if options.is_empty() {
            options.push(choice.clone());
        }
        let body = EntryBody::DecisionRecorded(DecisionRecorded {
            question: input.question.trim().into(),
            options,
            choice,
            rationale: input.rationale.trim().into(),
            authority,
            supersedes,
            approvals_required: dedup_positions(&input.approvals_required),
            notification: None,
        });
        self.append_one(incident, &state, body)
    }

    /// Corrects a note: new text and/or event time, with a reason. Decisions and role changes
    /// are corrected by superseding entries instead, so they are refused here.
    pub fn amend(
        &mut self,
        incident: IncidentId,
        target: &str,
        reason: &str,
        text: Option<&str>,
        occurred_at: Option<DateTime<FixedOffset>>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let target_entry = self.resolve_entry(incident, target)?;
        if target_entry.kind() != KIND_NOTE {
            return Err(StoreError::Refused(format!(
                "#{} is a {} entry; only notes are amended (supersede a decision, reassign a role, retract a status update)",
                target_entry.id().short(),
                target_entry.kind()
            )));
        }
        let occurred_at = occurred_at.map(|t| self.check_event_time("occurred_at", t)).transpose()?;
        let body = EntryBody::Amended(Amendment {
            target: target_entry.id(),
            reason: reason.trim().into(),
            text: text.map(|t| t.trim_end().to_string()),
            occurred_at,
        });
        self.append_one(incident, &state, body)
    }

    pub fn retract(&mut self, incident: IncidentId, target: &str, reason: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let target_entry = self.resolve_entry(incident, target)?;
        const RETRACTABLE: [&str; 6] = [
            KIND_NOTE,
            KIND_STATUS_UPDATE,
            KIND_TRIGGER_RECORDED,
            KIND_LAW_ENFORCEMENT_DELAY,
            KIND_COMMUNICATION_SENT,
            KIND_ESCALATION_DONE,
        ];
        if !RETRACTABLE.contains(&target_entry.kind()) {
            return Err(StoreError::Refused(format!(
                "#{} is a {} entry; only notes, status updates, clock triggers, law-enforcement delays, communications and escalation ticks are retracted",
                target_entry.id().short(),
                target_entry.kind()
            )));
        }
        let body =
            EntryBody::Retracted(Retraction { target: target_entry.id(), reason: reason.trim().into() });
        self.append_one(incident, &state, body)
    }
}

fn dedup_positions(positions: &[Position]) -> Vec<Position> {
    let mut out: Vec<Position> = Vec::new();
    for p in positions {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

pub(crate) fn validate_person(field: &str, person: &str) -> Result<(), ValidationError> {
    let p = person.trim();
    if p.is_empty() {
        return Err(ValidationError::new(field, person, "must not be empty"));
    }
    if p.chars().count() > MAX_PERSON {
        return Err(ValidationError::new(field, person, format!("longer than {MAX_PERSON} characters")));
    }
    if p.chars().any(char::is_control) {
        return Err(ValidationError::new(field, person, "contains a control character"));
    }
    Ok(())
}

fn one_match<T: Copy>(
    what: &'static str,
    reference: &str,
    matches: Vec<T>,
    short: impl Fn(&T) -> String,
) -> Result<T> {
    let cleaned: String = reference.trim_start_matches('#').chars().filter(|c| *c != '-').collect();
    if cleaned.len() < 4 || !cleaned.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ValidationError::new(
            what,
            reference,
            "give a full id or at least 4 hex digits of its end (#1a2b3c4d)",
        )
        .into());
    }
    match matches.as_slice() {
        [] => Err(StoreError::NotFound { what, value: reference.to_string() }),
        [one] => Ok(*one),
        many => Err(StoreError::Ambiguous {
            what,
            value: reference.to_string(),
            candidates: many.iter().take(5).map(|m| format!("#{}", short(m))).collect::<Vec<_>>().join(", "),
        }),
    }
}
