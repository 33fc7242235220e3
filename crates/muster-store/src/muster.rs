//! One installation of Muster: its database, its device key (in the OS keyring), its operator
//! and its sync session token; and the plumbing every operation writes through (`append`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use ed25519_dalek::SigningKey;
use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::{
    DeviceId, Entry, EntryBody, EntryId, IncidentId, IncidentState, IncidentStatus, TimelineItem,
    ValidationError,
};

use crate::anchor::{AnchoredHead, StreamAnchor};
use crate::clock::{Clock, Entropy, OsEntropy, SystemClock};
use crate::error::{Result, StoreError};
use crate::identity::{
    device_id_of, load_or_create_device_key, server_token_account, OsKeyring, SecretStore,
};
use crate::ops::validate_person;
use crate::store::{ChangeProbe, Draft, QuarantineRow, Store, SyncAlertRow};

pub const DB_FILE: &str = "muster.sqlite3";
const SETTING_INSTALLATION: &str = "installation.id";
const SETTING_OPERATOR: &str = "operator.name";
/// The person this device was registered for at the sync server (the operator at login): the
/// server refuses entries this device signs after that as anyone else ("Trust nobody" 5).
pub const SETTING_REGISTERED_PERSON: &str = "sync.device_person";
pub(crate) const SETTING_CURRENT_INCIDENT: &str = "incident.current";
/// How far in the future an event time may be (clock differences between people's watches).
pub(crate) const FUTURE_TOLERANCE_MIN: i64 = 5;

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

/// One installation of Muster: its database, its device key (in the OS keyring) and its operator.
pub struct Muster {
    pub(crate) store: Store,
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    key: Option<SigningKey>,
    /// The stream anchor as last read from or written to the keyring (`None`: not read yet).
    anchor: Option<StreamAnchor>,
    operator_override: Option<String>,
    /// `--for`: whom this process records on behalf of.
    on_behalf: Option<String>,
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
            anchor: None,
            operator_override: None,
            on_behalf: None,
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
        self.store.setting(SETTING_INSTALLATION)?.ok_or_else(|| StoreError::Corrupt {
            row: "settings".into(),
            reason: "installation id missing".into(),
        })
    }

    /// Writes as `person` instead of the configured operator (for one process).
    pub fn set_operator_override(&mut self, person: Option<String>) -> Result<()> {
        if let Some(p) = &person {
            validate_person("--as", p)?;
        }
        self.operator_override = person.map(|p| p.trim().to_string());
        Ok(())
    }

    /// Records this process's entries on `person`'s behalf (a scribe writing for the
    /// commander). The recorder stays the operator, whose authority reserved acts need.
    pub fn set_on_behalf(&mut self, person: Option<String>) -> Result<()> {
        if let Some(p) = &person {
            validate_person("--for", p)?;
        }
        self.on_behalf = person.map(|p| p.trim().to_string());
        Ok(())
    }

    /// Whom entries are recorded for, when that is not the recorder (`None`: their own).
    pub fn on_behalf(&self) -> Result<Option<String>> {
        let recorder = self.operator()?;
        Ok(self.on_behalf.clone().filter(|p| *p != recorder))
    }

    pub fn set_operator_name(&self, name: &str) -> Result<()> {
        validate_person("name", name)?;
        if let Some(registered) = self.registered_person()? {
            if registered != name.trim() {
                return Err(StoreError::Refused(format!(
                    "this laptop is registered with the sync server for {registered}: the entries it signs are \
                     recorded by {registered}. Another person uses their own laptop, or records here with --for"
                )));
            }
        }
        self.store.set_setting(SETTING_OPERATOR, name.trim())
    }

    /// The person this device is registered for at the sync server, if it ever logged in.
    pub fn registered_person(&self) -> Result<Option<String>> {
        self.store.setting(SETTING_REGISTERED_PERSON)
    }

    /// The name someone gave at this installation (`set_operator_name`), if anyone did yet.
    pub fn operator_name(&self) -> Result<Option<String>> {
        self.store.setting(SETTING_OPERATOR)
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
        self.store.own_device()
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
                self.store.set_own_device(id)?;
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

    /// The recorder, with the position of the person the entry is for (their own, or the one
    /// recorded on behalf of: a scribe writing the commander's update writes it as command).
    pub(crate) fn author_in(&self, state: &IncidentState) -> Result<Author> {
        let person = self.operator()?;
        let principal = self.on_behalf()?.unwrap_or_else(|| person.clone());
        let position = state.positions_of(&principal).into_iter().next();
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
        if let Some(registered) = self.registered_person()? {
            if registered != author.person {
                return Err(StoreError::Refused(format!(
                    "this laptop is registered with the sync server for {registered}, so it cannot record as {}; \
                     to record on their behalf, use --for \"{}\" (the entry then says both)",
                    author.person, author.person
                )));
            }
        }
        let on_behalf = self.on_behalf()?;
        let drafts: Vec<Draft> = bodies
            .into_iter()
            .map(|body| Draft {
                incident_id: incident,
                author: author.clone(),
                on_behalf: on_behalf.clone(),
                body,
            })
            .collect();
        self.device_key()?;
        let key = self.key.clone().ok_or_else(|| StoreError::Keyring("device key unavailable".into()))?;
        let written = self.store.append(&key, drafts)?;
        self.advance_anchor(device_id_of(&key), &written);
        Ok(written)
    }

    /// Records the new heads in the keyring's stream anchor. The entries are committed already:
    /// a keyring that refuses is told to the person, and the write stands (the anchor lags,
    /// which only weakens `verify`'s truncation check until the next write succeeds).
    fn advance_anchor(&mut self, device: DeviceId, written: &[Entry]) {
        let outcome = (|| -> Result<()> {
            let installation = self.installation_id()?;
            let (mut anchor, unsaved) = match self.anchor.take().filter(|a| a.device == device) {
                Some(a) => (a, false),
                None => self.anchor_or_log_heads(&installation, device)?,
            };
            let moved = anchor.advance(written);
            let saved =
                if moved || unsaved { anchor.save(self.secrets.as_ref(), &installation) } else { Ok(()) };
            self.anchor = Some(anchor);
            saved
        })();
        if let Err(e) = outcome {
            self.notices.push(format!(
                "the entries were saved, but the OS keyring did not take their record for `muster verify`: {e}"
            ));
        }
    }

    /// The anchor in the keyring, or — the first time (an installation from before anchors) —
    /// one started from the log's own heads.
    /// Says whether it was started now (and so is not in the keyring yet).
    fn anchor_or_log_heads(&self, installation: &str, device: DeviceId) -> Result<(StreamAnchor, bool)> {
        if let Some(a) = StreamAnchor::load(self.secrets.as_ref(), installation, device)? {
            return Ok((a, false));
        }
        let mut anchor = StreamAnchor::new(device);
        for incident in self.store.incident_ids()? {
            let head = self.store.head(incident, device)?;
            if head.seq > 0 {
                anchor.heads.insert(incident, AnchoredHead { seq: head.seq, hash: head.hash });
            }
        }
        Ok((anchor, true))
    }

    pub(crate) fn append_one(
        &mut self,
        incident: IncidentId,
        state: &IncidentState,
        body: EntryBody,
    ) -> Result<Entry> {
        let author = self.author_in(state)?;
        let mut written = self.append(incident, author, vec![body])?;
        written.pop().ok_or_else(|| StoreError::Internal("nothing was written".into()))
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

    // ----- reads of the log the screens and verbs need (so that no caller reaches into its
    // tables through `store()`, which is for the sync engine)

    /// Where the database is (another connection to it opens this file).
    pub fn database_path(&self) -> &Path {
        self.store.path()
    }

    /// The installation's clock, for other connections that must tell the same time.
    pub fn shared_clock(&self) -> Arc<dyn Clock> {
        self.store.shared_clock()
    }

    /// Every incident of this installation with its lifecycle status.
    pub fn incident_statuses(&self) -> Result<Vec<(IncidentId, IncidentStatus)>> {
        self.store.incident_statuses()
    }

    /// A page of an incident's timeline, straight from the projections (corrections applied).
    pub fn timeline_page(
        &self,
        incident: IncidentId,
        newest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<TimelineItem>> {
        self.store.timeline_page(incident, newest_first, offset, limit)
    }

    /// One entry of an incident's timeline by its id or reference, corrections applied.
    pub fn timeline_item(&self, incident: IncidentId, reference: &str) -> Result<TimelineItem> {
        let entry = self.resolve_entry(incident, reference)?;
        self.store
            .timeline_item(incident, entry.id())?
            .ok_or_else(|| StoreError::NotFound { what: "entry", value: reference.to_string() })
    }

    /// The sync server's clock flags of an incident's entries: entry -> its author's skew (ms).
    pub fn clock_flags(&self, incident: IncidentId) -> Result<HashMap<EntryId, i64>> {
        self.store.clock_flags(incident)
    }

    /// Watches the database for commits made by other processes.
    pub fn change_probe(&self) -> Result<ChangeProbe> {
        self.store.change_probe()
    }

    /// Server alerts and set-aside entries held here, over all incidents.
    pub fn sync_evidence_totals(&self) -> Result<(u64, u64)> {
        self.store.sync_evidence_totals()
    }

    /// The sync server's alerts of an incident, as pulled.
    pub fn sync_alert_rows(&self, incident: IncidentId) -> Result<Vec<SyncAlertRow>> {
        self.store.sync_alert_rows(incident)
    }

    /// Pulled entries of an incident set aside here, with the reason.
    pub fn pulled_quarantine_rows(&self, incident: IncidentId) -> Result<Vec<QuarantineRow>> {
        self.store.pulled_quarantine_rows(incident)
    }

    /// How many entries the log holds (all incidents).
    pub fn entry_count(&self) -> Result<u64> {
        self.store.entry_count()
    }

    /// Re-checks every signature and chain link of the log (`muster verify`).
    /// Also checks this installation's own streams against the stream anchor in the OS keyring:
    /// entries cut off the end of a stream, head record and all, are named (`truncated`).
    pub fn verify(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<crate::VerifyReport> {
        let mut report = self.store.verify(progress)?;
        if let Some(device) = self.device_id()? {
            if let Some(anchor) = StreamAnchor::load(self.secrets.as_ref(), &self.installation_id()?, device)?
            {
                report.problems.extend(crate::verify::truncation(&self.store, &anchor)?);
            }
        }
        Ok(report)
    }

    /// Refolds every incident's projections from the log (`muster rebuild`).
    pub fn rebuild(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<(usize, u64)> {
        self.store.rebuild(progress)
    }
}
