//! The breach verbs: scope, classification and review, clock triggers, law-enforcement delays,
//! communications, notification choices, regulatory clocks, escalation, rulesets and the
//! clinical systems register.
//!
//! This module holds their arguments and the parsers they share; the verbs are in [`scope`]
//! (scope, classification, review), [`clocks`] (triggers, delays, communications,
//! notification choices, the regulatory clocks) and [`escalation`] (escalation, rulesets).

mod clocks;
mod escalation;
mod scope;

pub use clocks::{clocks, comms, delay, notification, trigger};
pub use escalation::{escalation, rules};
pub use scope::{classify, review, scope};

use std::path::PathBuf;

use anyhow::Result;
use clap::{ArgGroup, Subcommand};
use muster_core::breach::*;
use muster_store::StoreError;

#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Record the scope; parts not given stay as they are (a list given replaces that list).
    Set {
        /// Individuals affected in a jurisdiction, JURISDICTION:COUNT (ISO 3166: US-CA:600, DE:20; PR:600 is
        /// stored as US-PR). Repeat.
        #[arg(long, value_name = "JURISDICTION:COUNT")]
        affected: Vec<String>,
        /// A data category (clinical-phi, genetic, substance-use, mental-health, financial, research, staff-pii, credentials). Repeat.
        #[arg(long, value_name = "CATEGORY")]
        data: Vec<String>,
        /// How data was exposed (exfiltration-confirmed, unauthorised-access, ransomware-encryption, encrypted-device-lost, unencrypted-device-lost, misdirected, improper-disposal, other). Repeat.
        #[arg(long, value_name = "EXPOSURE")]
        exposure: Vec<String>,
        /// An affected system and its criticality, SYSTEM:CRITICALITY (pacs:high). Repeat.
        #[arg(long, value_name = "SYSTEM:CRITICALITY")]
        system: Vec<String>,
        /// The organisation's role (covered-entity, business-associate, controller, processor, listed-company,
        /// nis2-entity, data-owner, licensed-health-facility, device-manufacturer). Repeat. A business associate or
        /// processor that also owns some of the data adds data-owner: the state residents' notices are the owner's.
        #[arg(long, value_name = "ROLE")]
        role: Vec<String>,
        /// Litigation exposure flagged (true/false).
        #[arg(long, value_name = "BOOL")]
        litigation_exposure: Option<bool>,
    },
    /// Show the current scope.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum CommsCommand {
    /// Log a communication sent; --meets names the regulatory obligations it meets.
    Sent {
        #[arg(long = "to", value_name = "RECIPIENT")]
        recipient: String,
        #[arg(long)]
        channel: String,
        #[arg(long)]
        summary: String,
        /// When it was sent, if not now.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// A rule id it meets (hipaa.hhs, gdpr.authority, ...). Repeat.
        #[arg(long = "meets", value_name = "RULE")]
        meets: Vec<String>,
    },
    /// The communications log.
    List,
}

#[derive(Debug, Subcommand)]
pub enum EscalationCommand {
    /// The escalation checklist: who must be brought in, by whom, by when.
    List,
    /// Tick off a step.
    Done {
        rule: String,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The rulesets in force and any problem with the installation's own copies.
    Show,
    /// Check a ruleset file (regulatory-clocks.toml, classification.toml or escalation.toml).
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum SystemsCommand {
    /// Record the clinical systems register from a CSV file (checked in full; nothing written if any row is bad).
    Import { file: PathBuf },
    /// Write the register as CSV (stdout, or --out FILE).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// HICS 251 board: each system fully / partially / non-functional.
    Board,
    /// What isolating SYSTEM would take down, directly or through dependencies.
    Impact { system: String },
    /// Propose to isolate (or --restore) SYSTEM; shows the impact.
    Propose {
        system: String,
        /// Propose to restore instead of isolate.
        #[arg(long)]
        restore: bool,
        #[arg(long)]
        reason: String,
    },
    /// Clinical liaison: sign off (or --refuse) the open proposal (or PROPOSAL).
    Signoff {
        proposal: Option<String>,
        #[arg(long)]
        refuse: bool,
        #[arg(long)]
        note: String,
    },
    /// Carry out the open proposal (or PROPOSAL): the system is isolated / restored.
    CarryOut { proposal: Option<String> },
    /// Rate a system for the HICS 251 board: fully-functional, partially-functional, non-functional.
    Rate {
        system: String,
        status: String,
        #[arg(long)]
        comment: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("verdict").required(true).multiple(true).args(["confirm", "severity", "major"])))]
pub struct ReviewArgs {
    /// The classification reviewed (default: the latest).
    #[arg(long, value_name = "ENTRY")]
    pub classification: Option<String>,
    /// Confirm it as recorded.
    #[arg(long)]
    pub confirm: bool,
    /// Change the severity to this.
    #[arg(long)]
    pub severity: Option<String>,
    /// Change the major-incident flag (true/false).
    #[arg(long, value_name = "BOOL")]
    pub major: Option<bool>,
    #[arg(long)]
    pub rationale: Option<String>,
}

fn parse_list<T>(
    items: &[String],
    parse: impl Fn(&str) -> Result<T, muster_core::ValidationError>,
) -> Result<Option<Vec<T>>> {
    if items.is_empty() {
        return Ok(None);
    }
    let parsed: Result<Vec<T>, _> = items.iter().map(|i| parse(i)).collect();
    Ok(Some(parsed.map_err(StoreError::from)?))
}

fn parse_affected(text: &str) -> Result<Affected, muster_core::ValidationError> {
    let (place, count) = text.rsplit_once(':').ok_or_else(|| {
        muster_core::ValidationError::new("--affected", text, "write JURISDICTION:COUNT, such as US-CA:600")
    })?;
    let jurisdiction = Jurisdiction::parse("--affected", place)?;
    let individuals: u64 = count.trim().parse().map_err(|_| {
        muster_core::ValidationError::new(
            "--affected",
            text,
            format!("{count:?} is not a whole number of individuals"),
        )
    })?;
    Ok(Affected { jurisdiction, individuals })
}

fn parse_system(text: &str) -> Result<ScopedSystem, muster_core::ValidationError> {
    let (system, level) = text.rsplit_once(':').ok_or_else(|| {
        muster_core::ValidationError::new("--system", text, "write SYSTEM:CRITICALITY, such as pacs:high")
    })?;
    system_id("--system", system.trim())?;
    Ok(ScopedSystem {
        system: system.trim().to_string(),
        criticality: SystemCriticality::parse_user("--system", level)?,
    })
}
