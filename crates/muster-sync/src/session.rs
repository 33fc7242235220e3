//! One installation's sync session, as one API for the CLI and the desktop app: log in (an
//! enrolment token becomes a session token in the OS keyring), build the client from the
//! settings and the keyring, share or unshare an incident, run one sync round over every
//! incident to sync, and what a sync status shows (entries the server lacks, the clock offset,
//! whether the server answers at all).
//!
//! The server URL and user name live in the installation's settings (`sync.server`,
//! `sync.user`); the session token only in the OS keyring (`Muster::session_token`).

use std::collections::{BTreeMap, HashMap};

use muster_core::{DeviceId, IncidentId};
use muster_store::{Muster, Store};
use serde::Serialize;

use crate::client::{Client, Method, Request, Result, SyncError, Transport};
use crate::engine::{incidents_to_sync, sync_once, SyncReport};
use muster_wire::Role;

#[cfg(feature = "http")]
use crate::client::HttpTransport;

/// Setting: the sync server's base URL, as logged in to (trimmed, no trailing slash).
pub const SETTING_SERVER: &str = "sync.server";
/// Setting: the user name the server knows this installation's person by.
pub const SETTING_USER: &str = "sync.user";
/// Setting: the PEM of the CA an `https://` server's certificate must chain to (a certificate
/// is public, not a secret). Absent: the public root certificates.
pub const SETTING_CA: &str = "sync.ca_cert";
/// Setting: the server's stream heads as last seen (JSON of `ServerHeads`), so that the count
/// of entries waiting for the server is right while offline, across restarts too.
pub const SETTING_SERVER_HEADS: &str = "sync.server_heads";
/// Setting: the devices the server reported revoked, per incident (JSON of `RevokedDevices`),
/// as `/v1/me` listed them at the last sync, so that `muster alerts` shows them offline too.
pub const SETTING_REVOKED_DEVICES: &str = "sync.revoked_devices";

/// What a revoked device means, for people (the CLI's `alerts` says it).
pub const REVOKED_DEVICE_DESCRIPTION: &str =
    "an administrator revoked it (a lost or retired laptop): the server holds, and does not store, what it \
     signs after that; treat its later entries as not written by its owner";

/// The revoked devices of each incident, as the server last listed them.
pub type RevokedDevices = BTreeMap<IncidentId, Vec<muster_wire::RevokedDevice>>;

/// Keeps what `/v1/me` says of revoked devices, writing only when it changed.
pub fn save_revoked_devices(store: &Store, me: &muster_wire::MeResponse) -> Result<()> {
    let now: RevokedDevices = me
        .incidents
        .iter()
        .filter(|i| !i.revoked_devices.is_empty())
        .map(|i| (i.id, i.revoked_devices.clone()))
        .collect();
    let before: RevokedDevices = store
        .setting(SETTING_REVOKED_DEVICES)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    if before == now {
        return Ok(());
    }
    let json =
        serde_json::to_string(&now).map_err(|e| SyncError::Protocol { status: 0, message: e.to_string() })?;
    store.set_setting(SETTING_REVOKED_DEVICES, &json)?;
    Ok(())
}

/// The revoked devices of the incident's members, as the server last listed them (none known:
/// empty). Read from the local database only.
pub fn revoked_devices(store: &Store, incident: IncidentId) -> Result<Vec<muster_wire::RevokedDevice>> {
    let all: RevokedDevices = store
        .setting(SETTING_REVOKED_DEVICES)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    Ok(all.get(&incident).cloned().unwrap_or_default())
}

/// What a successful login established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginOutcome {
    /// The server URL as stored (trimmed, no trailing slash).
    pub server: String,
    /// The user name as the server spells it.
    pub user: String,
    /// This installation's device, now registered to the user.
    pub device: DeviceId,
}

/// The server and user this installation is configured for (either may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncSettings {
    pub server: Option<String>,
    pub user: Option<String>,
}

/// Reads the sync settings (no keyring access, no network).
pub fn settings(m: &Muster) -> Result<SyncSettings> {
    Ok(SyncSettings { server: m.store().setting(SETTING_SERVER)?, user: m.store().setting(SETTING_USER)? })
}

fn trimmed_url(server: &str) -> &str {
    server.trim().trim_end_matches('/')
}

/// Redeems a one-time enrolment token: proves possession of the device key, keeps the session
/// token in the OS keyring (never in a file or the database) and records server and user.
/// Logging in to another server than before clears the pull cursors (ranks are one server's).
#[cfg(feature = "http")]
pub fn login(m: &mut Muster, server: &str, user: &str, token: &str) -> Result<LoginOutcome> {
    login_with_ca(m, server, user, token, None)
}

/// `login` to a server whose certificate chains to the CA in `ca_pem` (kept in the settings
/// for later connections); `None` trusts the public roots and forgets any CA kept before.
#[cfg(feature = "http")]
pub fn login_with_ca(
    m: &mut Muster,
    server: &str,
    user: &str,
    token: &str,
    ca_pem: Option<&str>,
) -> Result<LoginOutcome> {
    // Before anything is sent: the enrolment token must not cross a network in clear.
    crate::client::check_server_url(server)?;
    let transport = HttpTransport::with_ca(server, ca_pem)?;
    let outcome = login_with(m, transport, server, user, token)?;
    match ca_pem {
        Some(pem) => m.store().set_setting(SETTING_CA, pem)?,
        None => m.store().delete_setting(SETTING_CA)?,
    }
    Ok(outcome)
}

/// `login` over any transport (tests drive the router in process).
pub fn login_with<T: Transport>(
    m: &mut Muster,
    transport: T,
    server: &str,
    user: &str,
    token: &str,
) -> Result<LoginOutcome> {
    let device_name = m.operator()?;
    let key = m.device_key()?.clone();
    let answer = Client::new(transport, None).login(user.trim(), token.trim(), &key, &device_name)?;
    m.set_session_token(&answer.session_token)?;
    let server_url = trimmed_url(server);
    // Ranks are one server's; another server's would skip entries.
    if m.store().setting(SETTING_SERVER)?.as_deref() != Some(server_url) {
        m.store().clear_sync_cursors()?;
        m.store().delete_setting(SETTING_SERVER_HEADS)?;
    }
    m.store().set_setting(SETTING_SERVER, server_url)?;
    m.store().set_setting(SETTING_USER, &answer.user)?;
    // The device is now registered for the operator: from here on it records as them only
    // (the server refuses anything else it signs later), and records for others with --for.
    m.store().set_setting(muster_store::SETTING_REGISTERED_PERSON, &device_name)?;
    Ok(LoginOutcome { server: server_url.to_string(), user: answer.user, device: answer.device_id })
}

/// Forgets the session token (the OS keyring entry) and the user name. The server URL stays,
/// so that logging in to it again keeps the pull cursors. Entries stay local.
pub fn logout(m: &Muster) -> Result<()> {
    m.clear_session_token()?;
    m.store().delete_setting(SETTING_USER)?;
    Ok(())
}

/// The configured server URL, or `sync.not_configured`.
pub fn server_url(m: &Muster) -> Result<String> {
    m.store().setting(SETTING_SERVER)?.ok_or_else(|| {
        SyncError::NotConfigured("not logged in to a sync server: run `muster login --server URL ...`".into())
    })
}

/// The session token from the OS keyring, or `sync.not_configured`.
pub fn session_token(m: &Muster) -> Result<String> {
    m.session_token()?.ok_or_else(|| {
        SyncError::NotConfigured("no session token in the OS keyring: run `muster login` again".into())
    })
}

/// The HTTP transport to the configured server (no token: what `probe` needs).
#[cfg(feature = "http")]
pub fn transport_for(m: &Muster) -> Result<HttpTransport> {
    HttpTransport::with_ca(&server_url(m)?, m.store().setting(SETTING_CA)?.as_deref())
}

/// The client for the configured server with the session token from the OS keyring.
#[cfg(feature = "http")]
pub fn client_for(m: &Muster) -> Result<Client<HttpTransport>> {
    let transport = transport_for(m)?;
    Ok(Client::new(transport, Some(session_token(m)?)))
}

/// One sync round: every incident opened here, every incident the server lists for this user,
/// and `extra` (an id given by hand), each registered if needed, pushed and pulled.
pub fn sync_all<T: Transport>(
    m: &mut Muster,
    client: &Client<T>,
    extra: &[IncidentId],
) -> Result<SyncReport> {
    let device = m.device_id()?;
    let plan = incidents_to_sync(m.store(), client, device, extra)?;
    sync_once(m.store_mut(), client, &plan)
}

/// Registers the incident on the server when this laptop opened it (the caller becomes its
/// commander if it is new there; the opening entry proves authorship) and gives `with` access
/// to it. Shared by a laptop that did not open it, the caller must already be its commander.
pub fn share<T: Transport>(
    m: &Muster,
    client: &Client<T>,
    incident: IncidentId,
    with: &str,
    role: Role,
) -> Result<()> {
    if let Some(device) = m.device_id()? {
        let first = m.store().entries_after(incident, device, 0, 1)?.into_iter().next();
        if let Some(opening) = first.filter(|e| e.kind() == "incident.opened") {
            client.register(incident, &opening)?;
        }
    }
    client.set_member(incident, with.trim(), role)
}

/// Takes `with`'s access to the incident away (their local copy stays theirs).
pub fn unshare<T: Transport>(client: &Client<T>, incident: IncidentId, with: &str) -> Result<()> {
    client.remove_member(incident, with.trim())
}

/// Whether the server answers (`GET /healthz`, no token): what an offline client probes before
/// it tries a whole sync again.
pub fn probe<T: Transport>(transport: &T) -> Result<()> {
    let response = transport.send(Request {
        method: Method::Get,
        path: "/healthz".into(),
        bearer: None,
        body: None,
        client_time_ms: None,
    })?;
    if (200..300).contains(&response.status) {
        return Ok(());
    }
    Err(SyncError::Protocol {
        status: response.status,
        message: format!("the server's health check answered HTTP {}", response.status),
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// How far this laptop's clock is ahead of the server's (negative: behind), in ms, from
/// `/v1/me`'s `server_time_ms` against the midpoint of the round trip.
pub fn clock_offset_ms<T: Transport>(client: &Client<T>) -> Result<i64> {
    let sent = now_ms();
    let me = client.me()?;
    let received = now_ms();
    Ok(sent + (received - sent) / 2 - me.server_time_ms)
}

/// The server's stream heads (device -> seq) of some incidents, as last seen.
pub type ServerHeads = BTreeMap<IncidentId, HashMap<DeviceId, u64>>;

/// Reads the server's heads of each incident.
pub fn server_heads<T: Transport>(
    client: &Client<T>,
    incidents: impl IntoIterator<Item = IncidentId>,
) -> Result<ServerHeads> {
    let mut out = ServerHeads::new();
    for incident in incidents {
        let heads = client.heads(incident)?.heads.into_iter().map(|h| (h.device, h.seq)).collect();
        out.insert(incident, heads);
    }
    Ok(out)
}

/// The incidents in `server` (last seen), plus those `device` opened here (a new one is not on
/// the server until its first sync registers it).
pub fn incidents_to_count(
    store: &Store,
    device: Option<DeviceId>,
    server: &ServerHeads,
) -> Result<Vec<IncidentId>> {
    let mut out: Vec<IncidentId> = server.keys().copied().collect();
    if let Some(device) = device {
        for incident in store.incident_ids()? {
            if out.contains(&incident) {
                continue;
            }
            let first = store.entries_after(incident, device, 0, 1)?;
            if first.first().is_some_and(|e| e.kind() == "incident.opened") {
                out.push(incident);
            }
        }
    }
    Ok(out)
}

/// Local entries the server does not hold, as far as `server` (the heads last seen) tells:
/// for each incident to sync, every local stream's entries past the server's head. Entries the
/// server would not take (a device not registered to a member) and those it set aside count too:
/// they are not on the server. No network: counted again after every local write.
pub fn waiting(store: &Store, device: Option<DeviceId>, server: &ServerHeads) -> Result<u64> {
    let mut n = 0;
    for incident in incidents_to_count(store, device, server)? {
        let known = server.get(&incident);
        for (stream, head) in store.stream_heads(incident)? {
            let there = known.and_then(|k| k.get(&stream)).copied().unwrap_or(0);
            n += head.seq.saturating_sub(there);
        }
    }
    Ok(n)
}

/// The server heads last saved with `save_server_heads` (none saved, or unreadable: empty).
pub fn load_server_heads(store: &Store) -> Result<ServerHeads> {
    Ok(store
        .setting(SETTING_SERVER_HEADS)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Keeps the server heads last seen, writing only when they changed (a sync round that moved
/// nothing writes nothing, so the database is not touched every round).
pub fn save_server_heads(store: &Store, heads: &ServerHeads) -> Result<()> {
    if load_server_heads(store)? == *heads {
        return Ok(());
    }
    let json = serde_json::to_string(heads)
        .map_err(|e| SyncError::Protocol { status: 0, message: e.to_string() })?;
    store.set_setting(SETTING_SERVER_HEADS, &json)?;
    Ok(())
}

/// What a server alert means, for people (the CLI's `alerts` and the app's banner say the same).
pub fn alert_description(kind: &str) -> String {
    match kind {
        "equivocation" => {
            "two histories signed by one device key: the server holds another entry at the same place".into()
        }
        "fork" => {
            "two histories signed by one device key: this entry continues a history the server does not hold"
                .into()
        }
        "clock_ahead" => "the entry's clock reads more than a day ahead of the server's (a device clock set wrong, or forged): \
             the server kept it aside so that it cannot move anyone's clock"
            .into(),
        "device_revoked" => "the entry was signed by a revoked device (a lost laptop) after its revocation: \
             the server kept it aside and no member receives it"
            .into(),
        "member_removed" => "the entry was written by someone after they were removed from the incident, and relayed \
             by a member: the server kept it aside and no member receives it"
            .into(),
        other => format!("the server kept this entry aside ({other})"),
    }
}

/// What a pulled entry set aside on this laptop means, by its ingest refusal code.
pub fn set_aside_description(reason: &str) -> String {
    match reason {
        "ingest.equivocation" => {
            "two histories signed by one device key: this laptop holds another entry at the same place".into()
        }
        "ingest.prev_hash_mismatch" => {
            "two histories signed by one device key: it does not continue this laptop's copy of the stream"
                .into()
        }
        "ingest.seq_gap" => "a later entry of a history already set aside".into(),
        other => format!("it conflicts with this laptop's copy of its stream ({other})"),
    }
}
