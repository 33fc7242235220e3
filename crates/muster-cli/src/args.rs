//! Command-line grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "muster",
    version,
    about = "Muster: the incident commander's console for security incidents and data breaches in healthcare",
    long_about = "Muster keeps a signed, append-only log of an incident: timeline, roster, status updates and \
                  decisions. Everything is stored locally first and works with no network.\n\n\
                  Start with `muster demo`, then `muster show`, `muster timeline` and `muster roster`.",
    after_help = "Exit codes: 0 ok, 1 failure, 2 bad input (nothing was written), 3 verify found problems."
)]
pub struct Cli {
    /// Data directory of this installation (default: the OS data directory, e.g. ~/.local/share/muster).
    #[arg(long, global = true, env = "MUSTER_HOME", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Write as this person instead of the configured operator name (on a laptop not yet
    /// registered with a sync server; a registered one records only as its person).
    #[arg(long = "as", global = true, env = "MUSTER_AS", value_name = "PERSON")]
    pub as_person: Option<String>,

    /// Record on this person's behalf (a scribe writing for the commander): the entry says who
    /// recorded it and for whom; acts reserved to a position need the recorder's authority.
    #[arg(long = "for", global = true, env = "MUSTER_FOR", value_name = "PERSON")]
    pub for_person: Option<String>,

    /// Incident to act on: a full id or the end of one (#1a2b3c4d). Default: the current incident.
    #[arg(long, global = true, env = "MUSTER_INCIDENT", value_name = "ID")]
    pub incident: Option<String>,

    /// Machine-readable JSON output (see docs/cli-json.md). Errors go to stderr as {"code","message"}.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set the operator's name and create this installation's device key.
    Init {
        /// Your name as it should appear on entries.
        #[arg(long)]
        name: String,
    },
    /// Show the operator, device, data directory and time zone.
    Whoami,
    /// Open, list, select, close or reopen incidents.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// The incident board: commander, roster, latest entries, open decisions.
    Show {
        /// How many recent timeline entries to show.
        #[arg(long, default_value_t = 8)]
        recent: usize,
    },
    /// Add a timeline note.
    Note {
        /// What happened or was done.
        text: String,
        /// When it happened, if not now: 2026-11-22T02:14:00-06:00, "2026-11-22 02:14" or 02:14 (your zone).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Assign or relieve positions.
    #[command(subcommand)]
    Role(RoleCommand),
    /// The roster: who holds each position now, and who held it before.
    Roster,
    /// Post a status update (HICS: conditions, actions, needs).
    Status {
        #[arg(long, default_value = "")]
        conditions: String,
        #[arg(long, default_value = "")]
        actions: String,
        #[arg(long, default_value = "")]
        needs: String,
        /// The position reporting (default: the position you hold).
        #[arg(long)]
        position: Option<String>,
    },
    /// Set how often status updates are due, in minutes.
    Cadence {
        minutes: u32,
        /// Only for this position (default: every position without its own cadence).
        #[arg(long, conflicts_with = "severity")]
        position: Option<String>,
        /// Only while the incident is at this severity (SEV1..SEV4).
        #[arg(long)]
        severity: Option<String>,
    },
    /// Status-update clocks: who owes an update, when it is due, what is overdue.
    Prompts,
    /// Put off the status update a position owes, with the reason (logged).
    Snooze {
        /// The position whose update is put off.
        position: String,
        #[arg(long)]
        minutes: u32,
        #[arg(long)]
        reason: String,
    },
    /// Hand over command: the commander offers, the person named accepts.
    #[command(subcommand)]
    Handover(HandoverCommand),
    /// Approve a decision for a position you hold.
    Approve {
        /// The decision (#1a2b3c4d or full id).
        decision: String,
        #[arg(long)]
        position: String,
    },
    /// Set the incident's severity (SEV1 most severe). Lowering it needs --rationale.
    Severity {
        severity: String,
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Record a decision (immutable; change it later with --supersedes).
    Decide(DecideArgs),
    /// List decisions, newest first.
    Decisions,
    /// Correct a note: new text and/or new event time, with a reason. The original stays visible.
    Amend {
        /// The note to correct (#1a2b3c4d or full id).
        entry: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        text: Option<String>,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Withdraw a note or status update (it stays visible, marked retracted).
    Retract {
        entry: String,
        #[arg(long)]
        reason: String,
    },
    /// Every entry of the incident.
    Timeline {
        /// Oldest first (default: newest first).
        #[arg(long)]
        oldest_first: bool,
        /// Only entries of this kind (note, role.assigned, decision.recorded, ...).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many entries.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Re-check every signature and chain link; names entries edited, removed or reordered.
    Verify,
    /// Rebuild every projection from the log.
    Rebuild,
    /// Write incidents to a file (JSON Lines) that `muster import` reads back, verified.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Every incident instead of the current one.
        #[arg(long)]
        all: bool,
    },
    /// Read an export file: checked in full first, nothing written if any entry is bad.
    Import {
        file: PathBuf,
        /// Entries per durable commit.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch: u32,
    },
    /// Seed a realistic hospital ransomware incident (a drill) to explore the console.
    Demo,
    /// The incident's scope: individuals per jurisdiction, data, exposure, systems, the organisation's roles.
    #[command(subcommand)]
    Scope(crate::verbs::breach::ScopeCommand),
    /// Classify the incident with the classification matrix (severity, major incident, rules fired).
    Classify {
        /// Show the verdict without recording it.
        #[arg(long)]
        dry_run: bool,
        /// Why (required when it lowers the severity).
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Peer review of a classification by a second person: --confirm, or change it with a rationale.
    Review(crate::verbs::breach::ReviewArgs),
    /// Record when a clock trigger happened: discovery, awareness, determination, materiality, high-risk, suspicion.
    Trigger {
        trigger: String,
        #[arg(long, value_name = "TIME")]
        at: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record a request to delay notification, under the law it was granted by (--regime): it holds back that law's notices only.
    Delay {
        /// written or oral (an oral HIPAA or California facility delay lasts at most 30 days).
        #[arg(long)]
        basis: String,
        /// The law: hipaa (45 CFR 164.412), sec (Form 8-K Item 1.05(c), the Attorney General),
        /// us-ca (Civ. Code 1798.82(c)), us-ca-health-facility (H&S 1280.15(c)), us-tx (521.053(d)),
        /// us-fl (501.171(4)(b)), us-co (6-1-716(2)(c)).
        #[arg(long, default_value = "hipaa")]
        regime: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        statement: String,
        #[arg(long, value_name = "TIME")]
        from: String,
        /// End of the delay (required for a written statement).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
    },
    /// The communications log: log what was sent to whom, and which obligations it meets.
    #[command(subcommand)]
    Comms(crate::verbs::breach::CommsCommand),
    /// Record the notify / do-not-notify decision for one regulatory obligation, with its rationale.
    Notification {
        /// The rule id (gdpr.authority, hipaa.media, ...).
        rule: String,
        /// notify or do-not-notify (waives the obligation).
        #[arg(long)]
        choice: String,
        #[arg(long)]
        rationale: String,
        #[arg(long)]
        authority: Option<String>,
    },
    /// Regulatory notification clocks: each obligation, its due instant and status.
    Clocks {
        /// Print the deadlines as an iCalendar (RFC 5545) file.
        #[arg(long, conflicts_with = "json")]
        ical: bool,
        /// With --ical: write to this file instead of stdout.
        #[arg(long, value_name = "FILE", requires = "ical")]
        out: Option<PathBuf>,
    },
    /// Escalation checklist and ticking steps off.
    #[command(subcommand)]
    Escalation(crate::verbs::breach::EscalationCommand),
    /// The rulesets in force (clocks, classification, escalation) and checking a ruleset file.
    #[command(subcommand)]
    Rules(crate::verbs::breach::RulesCommand),
    /// Clinical systems register, isolation impact, clinical sign-off and the HICS 251 board.
    #[command(subcommand)]
    Systems(crate::verbs::breach::SystemsCommand),
    /// Run the shared sync server (a SQLite file, or PostgreSQL; HTTPS with --tls-cert/--tls-key).
    Serve {
        /// Address to listen on (port 0: any free port; the address is printed as JSON).
        #[arg(long, default_value = "127.0.0.1:7373", value_name = "ADDR")]
        listen: String,
        /// The server database: a SQLite file path, or a postgres://user@host:port/db URL.
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
        /// PEM certificate chain: serve HTTPS (needs --tls-key).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of the certificate (needs --tls-cert).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Seconds a client's clock may differ from the server's before its pushes are warned
        /// and its entries flagged (they are kept).
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        max_clock_skew: u32,
        /// No request log lines on stderr.
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        limits: ServeLimits,
    },
    /// Administer the sync server's database directly (no HTTP): users, devices, sessions,
    /// membership history and the audit log.
    #[command(subcommand)]
    Server(crate::verbs::server_admin::ServerCommand),
    /// Log this installation in to a sync server with a one-time enrolment token.
    Login {
        /// Server URL, e.g. http://127.0.0.1:7373
        #[arg(long)]
        server: String,
        #[arg(long)]
        user: String,
        /// The enrolment token printed by `muster server user add`; `-` reads it from stdin.
        /// Prefer --token-stdin or `-`: a token on the command line is visible in `ps`.
        #[arg(long, required_unless_present = "token_stdin", conflicts_with = "token_stdin")]
        token: Option<String>,
        /// Read the enrolment token from the first line of stdin.
        #[arg(long)]
        token_stdin: bool,
        /// For an https server with its own CA (or a self-signed certificate): the PEM file
        /// of the certificate to trust. Without it, the public root certificates are trusted.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// Share the incident with a server user (registers it on the server first).
    Share {
        /// The server user to share with.
        #[arg(long = "with", value_name = "USER")]
        with: String,
        /// Make them a commander on the server (may change members).
        #[arg(long)]
        commander: bool,
    },
    /// Stop sharing the incident with a server user.
    Unshare {
        #[arg(long = "with", value_name = "USER")]
        with: String,
    },
    /// What sync kept aside or flagged in the incident: server alerts (one device key signed
    /// two histories), pulled entries set aside here, entries written on a clock that was off.
    Alerts,
    /// Push local entries to the sync server and pull everyone else's.
    Sync {
        /// Also fetch this incident (full id), one shared with you but not held here yet.
        #[arg(long, value_name = "ID")]
        fetch: Vec<String>,
    },
}

/// How long sessions last and what clients may hold or send (docs/decisions/0024). Durations
/// are a number and a unit: `90s`, `15m`, `12h`, `14d`.
#[derive(Debug, Args)]
pub struct ServeLimits {
    /// End a session after this long without a request (automatic logoff).
    #[arg(long, default_value = "12h", value_name = "DURATION", value_parser = parse_duration)]
    pub session_idle: std::time::Duration,
    /// End every session this long after its login, however it is used.
    #[arg(long, default_value = "14d", value_name = "DURATION", value_parser = parse_duration)]
    pub session_lifetime: std::time::Duration,
    /// Close a connection whose request head has not arrived within this (idle ones too).
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub header_timeout: std::time::Duration,
    /// Answer 408 to a request whose body has not arrived within this.
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = parse_duration)]
    pub body_timeout: std::time::Duration,
    /// Most connections open at once; beyond it new ones are closed at once.
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub max_connections: usize,
    /// Each user may push at most --quota-mib and --quota-entries per this window (then 429).
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = parse_duration)]
    pub quota_window: std::time::Duration,
    #[arg(long, default_value_t = 128, value_name = "MIB")]
    pub quota_mib: u64,
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    pub quota_entries: u64,
    /// Failed logins per user name, within --login-lockout, before that name is locked out.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub login_failures_per_user: u32,
    /// Failed logins per source address, within --login-lockout, before it is locked out.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub login_failures_per_address: u32,
    /// How long failures are counted, and how long a lockout lasts.
    #[arg(long, default_value = "15m", value_name = "DURATION", value_parser = parse_duration)]
    pub login_lockout: std::time::Duration,
}

/// `90s`, `15m`, `12h`, `14d` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 =
        digits.parse().map_err(|_| format!("{s:?} is not a duration such as 90s, 15m, 12h or 14d"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    if n == 0 {
        return Err(format!("{s:?}: a duration must be more than zero"));
    }
    n.checked_mul(seconds).map(std::time::Duration::from_secs).ok_or_else(|| format!("{s:?} is too long"))
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open a new incident; you (or --commander) become incident commander.
    Open {
        #[arg(long)]
        title: String,
        /// An exercise, not a real incident.
        #[arg(long)]
        drill: bool,
        #[arg(long)]
        description: Option<String>,
        /// Who takes command (default: you).
        #[arg(long)]
        commander: Option<String>,
        /// SEV1 (most severe) to SEV4; sets how often status updates are owed.
        #[arg(long, default_value = "sev2")]
        severity: String,
    },
    /// List incidents.
    List,
    /// Make an incident the current one.
    Use { id: String },
    /// Close the current incident.
    Close {
        #[arg(long)]
        summary: String,
    },
    /// Reopen a closed incident.
    Reopen {
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Put PERSON in POSITION (supersedes whoever holds it: a handover is one entry).
    Assign {
        /// incident-commander, deputy-incident-commander, scribe, technical-lead, clinical-liaison,
        /// legal-liaison, privacy-officer, communications-officer, biomedical-engineering, custom:<name>
        position: String,
        person: String,
    },
    /// Relieve the holder(s) of POSITION.
    Relieve {
        position: String,
        /// Only this holder (when two hold it after a conflict).
        #[arg(long)]
        person: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    #[arg(long)]
    pub question: String,
    /// An option considered (repeat for each).
    #[arg(long = "option", value_name = "OPTION")]
    pub options: Vec<String>,
    #[arg(long)]
    pub choice: String,
    #[arg(long)]
    pub rationale: String,
    /// Who decided (default: you).
    #[arg(long)]
    pub authority: Option<String>,
    /// A position whose approval the decision needs (repeat for each).
    #[arg(long = "approval", value_name = "POSITION")]
    pub approvals: Vec<String>,
    /// The decision this one replaces.
    #[arg(long, value_name = "ENTRY")]
    pub supersedes: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HandoverCommand {
    /// Offer command to PERSON with a briefing (the roster, decisions in force, overdue updates,
    /// isolated systems and open deadlines are added).
    Offer {
        #[arg(long)]
        to: String,
        #[arg(long)]
        situation: String,
        #[arg(long)]
        objectives: String,
    },
    /// Accept the command offered to you.
    Accept,
    /// Withdraw (commander) or decline (person named) the pending offer.
    Cancel {
        #[arg(long)]
        reason: String,
    },
}
