//! The breach verbs: scope, classification and review, clock triggers, law-enforcement delays,
//! communications, notification choices, regulatory clocks, escalation, rulesets and the
//! clinical systems register.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{ArgGroup, Subcommand};
use muster_core::breach::*;
use muster_core::rules::clocks::{to_ical, Obligation};
use muster_core::rules::escalation::ChecklistItem;
use muster_core::{IncidentId, Severity, ViewerZone};
use muster_store::{CommunicationInput, DelayInput, Muster, ReviewInput, ScopeInput, StoreError};
use serde_json::json;

use crate::views::{utc, IncidentRef, WrittenView};
use crate::{parse_time, print_json, written};

#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Record the scope; parts not given stay as they are (a list given replaces that list).
    Set {
        /// Individuals affected in a jurisdiction, JURISDICTION:COUNT (ISO 3166: US-CA:600, DE:20). Repeat.
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
        /// The organisation's role (covered-entity, business-associate, controller, processor, listed-company, nis2-entity). Repeat.
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

pub fn scope(
    m: &mut Muster,
    id: IncidentId,
    cmd: ScopeCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        ScopeCommand::Set { affected, data, exposure, system, role, litigation_exposure } => {
            let input = ScopeInput {
                affected: parse_list(&affected, parse_affected)?,
                data: parse_list(&data, |d| DataCategory::parse_user("--data", d))?,
                exposure: parse_list(&exposure, |x| Exposure::parse_user("--exposure", x))?,
                systems: parse_list(&system, parse_system)?,
                roles: parse_list(&role, |r| OrgRole::parse_user("--role", r))?,
                litigation_exposure,
            };
            let e = m.set_scope(id, input)?;
            written(&e, json, "scope")?;
        }
        ScopeCommand::Show => {
            let s = m.structure(id)?;
            let current = s.breach.scope();
            if json {
                print_json(&json!({
                    "incident": IncidentRef::of(&s),
                    "scope": current.map(|c| &c.scope),
                    "entry": current.map(|c| c.stamp.entry_id.to_string()),
                    "conflict": s.breach.scope_conflict(),
                    "individuals": current.map(|c| c.scope.individuals_in(None)).unwrap_or(0),
                }))?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                match current {
                    None => println!("No scope recorded yet: `muster scope set --affected US-CA:600 --data clinical-phi ...`"),
                    Some(c) => {
                        if s.breach.scope_conflict() {
                            println!("CONFLICT: {} scopes recorded while partitioned stand; record the scope again to resolve.", s.breach.scopes.len());
                        }
                        println!("{}", c.scope.describe());
                        println!("(#{} by {} at {})", c.stamp.entry_id.short(), c.stamp.by.person, zone.format(c.stamp.at.instant()));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn classify(
    m: &mut Muster,
    id: IncidentId,
    dry_run: bool,
    rationale: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let s = m.structure(id)?;
    let rules = m.rulebook()?;
    let verdict = m.classification_preview(&s, &rules);
    let entries = if dry_run { Vec::new() } else { m.classify(id, rationale)? };
    if json {
        let list: Vec<WrittenView> = entries.iter().map(WrittenView::of).collect();
        print_json(&json!({ "verdict": verdict, "entries": list }))?;
    } else {
        let major = if verdict.major { ", MAJOR INCIDENT" } else { "" };
        println!("{}{major} by {}", verdict.severity.label(), verdict.matrix);
        for f in &verdict.fired {
            println!(
                "  fired {} ({}{}): {} [{}]",
                f.id,
                f.severity.label(),
                if f.major { ", major" } else { "" },
                f.description,
                f.because
            );
        }
        if verdict.fired.is_empty() {
            println!("  no rule fired: the matrix default applies");
        }
        if let Some(reason) = &verdict.borderline_reason {
            println!("BORDERLINE: {reason}. A second person reviews it: `muster review --confirm` or `muster review --severity SEV --rationale ...`");
        }
        match entries.first() {
            Some(e) => println!("Recorded classification #{} ({} entries)", e.id().short(), entries.len()),
            None => println!("(dry run: nothing recorded)"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn review(m: &mut Muster, id: IncidentId, args: ReviewArgs, json: bool) -> Result<ExitCode> {
    let severity = args
        .severity
        .map(|s| Severity::parse_user("--severity", &s))
        .transpose()
        .map_err(StoreError::from)?;
    let entries = m.review_classification(
        id,
        ReviewInput {
            classification: args.classification,
            confirm: args.confirm,
            severity,
            major: args.major,
            rationale: args.rationale,
        },
    )?;
    if json {
        let list: Vec<WrittenView> = entries.iter().map(WrittenView::of).collect();
        print_json(&json!({ "entries": list }))?;
    } else {
        println!("Recorded peer review ({} entries)", entries.len());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn trigger(
    m: &mut Muster,
    id: IncidentId,
    kind: &str,
    at: &str,
    note: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let kind = TriggerKind::parse_user("TRIGGER", kind).map_err(StoreError::from)?;
    let at = parse_time(m, "--at", Some(at))?.context("--at is required")?;
    let e = m.record_trigger(id, kind, at, note)?;
    written(&e, json, &format!("{kind} trigger"))?;
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
pub fn delay(
    m: &mut Muster,
    id: IncidentId,
    basis: &str,
    agency: &str,
    statement: &str,
    from: &str,
    until: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let basis = DelayBasis::parse_user("--basis", basis).map_err(StoreError::from)?;
    let from = parse_time(m, "--from", Some(from))?.context("--from is required")?;
    let until = parse_time(m, "--until", until)?;
    let e = m.record_delay(
        id,
        DelayInput { basis, agency: agency.into(), statement: statement.into(), from, until },
    )?;
    written(&e, json, "law-enforcement delay")?;
    Ok(ExitCode::SUCCESS)
}

pub fn comms(
    m: &mut Muster,
    id: IncidentId,
    cmd: CommsCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        CommsCommand::Sent { recipient, channel, summary, at, meets } => {
            let sent_at = parse_time(m, "--at", at.as_deref())?;
            let e = m.record_communication(
                id,
                CommunicationInput { recipient, channel, summary, sent_at, obligations: meets },
            )?;
            written(&e, json, "communication")?;
        }
        CommsCommand::List => {
            let s = m.structure(id)?;
            if json {
                let list: Vec<_> = s
                    .breach
                    .communications
                    .iter()
                    .map(|c| {
                        json!({
                            "entry": c.stamp.entry_id.to_string(),
                            "recipient": c.communication.recipient,
                            "channel": c.communication.channel,
                            "summary": c.communication.summary,
                            "sent_at": utc(c.communication.sent_at.map(|t| t.0.with_timezone(&chrono::Utc)).unwrap_or_else(|| c.stamp.at.instant())),
                            "by": c.stamp.by.person,
                            "meets": c.communication.obligations,
                        })
                    })
                    .collect();
                print_json(&json!({ "incident": IncidentRef::of(&s), "communications": list }))?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                if s.breach.communications.is_empty() {
                    println!("No communications logged.");
                }
                for c in &s.breach.communications {
                    let at = c
                        .communication
                        .sent_at
                        .map(|t| t.0.with_timezone(&chrono::Utc))
                        .unwrap_or_else(|| c.stamp.at.instant());
                    let meets = if c.communication.obligations.is_empty() {
                        String::new()
                    } else {
                        format!(" [meets {}]", c.communication.obligations.join(", "))
                    };
                    println!(
                        "{}  #{}  to {} by {}{meets}: {} ({})",
                        zone.format(at),
                        c.stamp.entry_id.short(),
                        c.communication.recipient,
                        c.communication.channel,
                        c.communication.summary,
                        c.stamp.by.person
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn notification(
    m: &mut Muster,
    id: IncidentId,
    rule: &str,
    choice: &str,
    rationale: &str,
    authority: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let notify = match choice.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
        "notify" => true,
        "do-not-notify" => false,
        _ => {
            return Err(StoreError::from(muster_core::ValidationError::new(
                "--choice",
                choice,
                "must be notify or do-not-notify",
            ))
            .into())
        }
    };
    let e = m.decide_notification(id, rule, notify, rationale, authority)?;
    written(&e, json, "notification decision")?;
    Ok(ExitCode::SUCCESS)
}

fn obligation_json(o: &Obligation, zone: &ViewerZone) -> serde_json::Value {
    let in_zone = |t: chrono::DateTime<chrono::Utc>, name: &str| -> Option<String> {
        name.parse::<chrono_tz::Tz>()
            .ok()
            .map(|tz| t.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
    };
    json!({
        "rule": o.rule,
        "regime": o.regime,
        "recipient": o.recipient,
        "citation": o.citation,
        "trigger": o.trigger.slug(),
        "trigger_at": o.trigger_at.map(utc),
        "trigger_recorded_by": o.trigger_recorded_by.as_ref().map(|a| a.person.clone()),
        "after": o.after,
        "deadline": o.deadline,
        "due": o.due.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "due_local": o.due.and_then(|d| in_zone(d, &zone.name())),
        "due_jurisdiction": o.due.and_then(|d| in_zone(d, &o.zone)),
        "jurisdiction_zone": o.zone,
        "provisional": o.provisional,
        "status": o.status.as_str(),
        "met_by": o.met_by.map(|e| e.to_string()),
        "met_at": o.met_at.map(utc),
        "late": o.late,
        "waived_by": o.waived_by.map(|e| e.to_string()),
        "waiver_rationale": o.waiver_rationale,
        "suspended_until": o.suspended_until.map(utc),
        "applies_because": o.applies_because,
        "note": o.note,
    })
}

pub fn clocks(
    m: &mut Muster,
    id: IncidentId,
    ical: bool,
    out: Option<PathBuf>,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    let s = m.structure(id)?;
    let rules = m.rulebook()?;
    for p in &rules.problems {
        eprintln!(
            "warning: {}, line {}, field {}: {} (using the {:?} ruleset)",
            p.file, p.line, p.field, p.message, p.using
        );
    }
    let list = m.obligations(&s, &rules);
    let now = m.clock().now();
    if ical {
        let text = to_ical(&list, s.title.as_deref().unwrap_or("incident"), &id.to_string(), now);
        match out {
            Some(path) => {
                std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                eprintln!(
                    "Wrote {} deadlines to {}",
                    list.iter().filter(|o| o.due.is_some()).count(),
                    path.display()
                );
            }
            None => print!("{text}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        let items: Vec<_> = list.iter().map(|o| obligation_json(o, zone)).collect();
        print_json(&json!({
            "incident": IncidentRef::of(&s),
            "zone": zone.name(),
            "ruleset": rules.clocks.header.label(),
            "now": utc(now),
            "obligations": items,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", crate::text::header(&s, zone));
    println!("Regulatory clocks ({}), times in {}:", rules.clocks.header.label(), zone.name());
    if list.is_empty() {
        println!("  No obligation applies yet: record the scope (`muster scope set`).");
    }
    for o in &list {
        let due = match o.due {
            Some(d) => {
                let left = d - now;
                let left = if left.num_seconds() >= 0 {
                    format!("in {}h{:02}m", left.num_hours(), left.num_minutes() % 60)
                } else {
                    format!("{}h{:02}m ago", -left.num_hours(), (-left.num_minutes()) % 60)
                };
                format!(
                    "due {} ({}) {left}{}",
                    zone.format(d),
                    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    if o.provisional { " provisional" } else { "" }
                )
            }
            None if o.trigger_at.is_none() && o.after.is_none() => {
                format!("waiting for the {} trigger (`muster trigger {}`)", o.trigger, o.trigger)
            }
            None => format!("{} (no fixed deadline)", o.deadline),
        };
        println!("  {:<8} {:<26} {} -> {}", o.status.as_str().to_uppercase(), o.rule, o.recipient, due);
        println!("           {} | {} | {}", o.citation, o.deadline, o.applies_because);
        if let Some(r) = &o.waiver_rationale {
            println!("           waived: {r}");
        }
        if let Some(u) = o.suspended_until {
            println!("           suspended by a law-enforcement delay until {}", zone.format(u));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn checklist_json(i: &ChecklistItem) -> serde_json::Value {
    json!({
        "rule": i.rule,
        "title": i.title,
        "position": i.position.slug(),
        "holders": i.holders,
        "anchor": i.anchor.slug(),
        "anchor_at": i.anchor_at.map(utc),
        "minutes": i.minutes,
        "due": i.due.map(utc),
        "status": i.status,
        "done_by": i.done.as_ref().map(|d| d.by.person.clone()),
        "done_at": i.done.as_ref().map(|d| utc(d.at)),
        "late": i.late,
        "applies_because": i.applies_because,
    })
}

pub fn escalation(
    m: &mut Muster,
    id: IncidentId,
    cmd: EscalationCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        EscalationCommand::Done { rule, note } => {
            let e = m.escalation_done(id, &rule, note.as_deref())?;
            written(&e, json, "escalation step")?;
        }
        EscalationCommand::List => {
            let s = m.structure(id)?;
            let rules = m.rulebook()?;
            let items = m.checklist(&s, &rules);
            if json {
                let list: Vec<_> = items.iter().map(checklist_json).collect();
                print_json(
                    &json!({ "incident": IncidentRef::of(&s), "zone": zone.name(), "checklist": list }),
                )?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                println!(
                    "Escalation checklist ({}), times in {}:",
                    rules.escalation.header.label(),
                    zone.name()
                );
                for i in &items {
                    let who = if i.holders.is_empty() {
                        format!("{} (vacant)", i.position)
                    } else {
                        format!("{} ({})", i.position, i.holders.join(", "))
                    };
                    let when = match (&i.done, i.due) {
                        (Some(d), _) => format!(
                            "done by {} at {}{}",
                            d.by.person,
                            zone.format(d.at),
                            if i.late { " (late)" } else { "" }
                        ),
                        (None, Some(due)) => format!("due {}", zone.format(due)),
                        (None, None) => format!("waiting for {}", i.anchor.slug()),
                    };
                    println!(
                        "  [{}] {:<20} {} - {who} - {when}",
                        if i.done.is_some() { "x" } else { " " },
                        i.rule,
                        i.title
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn rules(m: &mut Muster, cmd: RulesCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        RulesCommand::Show => {
            let book = m.rulebook()?;
            if json {
                print_json(&json!({ "in_force": book.in_force, "problems": book.problems }))?;
            } else {
                for r in &book.in_force {
                    println!("{:<24} {}@{} ({:?})", r.file, r.name, r.version, r.source);
                }
                for p in &book.problems {
                    println!(
                        "PROBLEM {}, line {}, field {}: {} -> using {:?}",
                        p.file, p.line, p.field, p.message, p.using
                    );
                }
            }
        }
        RulesCommand::Check { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let shown = file.display().to_string();
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            use muster_core::rules::{
                classification::Matrix, clocks::ClockRuleset, escalation::EscalationRuleset,
            };
            let label = if name.contains("classification") {
                Matrix::parse(&shown, &text).map(|r| r.header.label())
            } else if name.contains("escalation") {
                EscalationRuleset::parse(&shown, &text).map(|r| r.header.label())
            } else {
                ClockRuleset::parse(&shown, &text).map(|r| r.header.label())
            }
            .map_err(StoreError::from)?;
            if json {
                print_json(&json!({ "file": shown, "ruleset": label, "valid": true }))?;
            } else {
                println!("{shown}: {label} is valid");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn systems(
    m: &mut Muster,
    id: IncidentId,
    cmd: SystemsCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        SystemsCommand::Import { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let e = m.register_systems(id, &file.display().to_string(), &text)?;
            let n = match &e.body {
                muster_core::EntryBody::SystemsRegistered(r) => r.systems.len(),
                _ => 0,
            };
            if json {
                print_json(&json!({ "entry": WrittenView::of(&e), "systems": n }))?;
            } else {
                println!("Recorded the clinical systems register: {n} systems (#{})", e.id().short());
            }
        }
        SystemsCommand::Export { out } => {
            let s = m.structure(id)?;
            let csv = m.register_csv(&s)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, csv).with_context(|| format!("writing {}", path.display()))?
                }
                None => print!("{csv}"),
            }
        }
        SystemsCommand::Board => {
            let s = m.structure(id)?;
            let board = s.breach.board();
            if json {
                let list: Vec<_> = board
                    .iter()
                    .map(|b| {
                        json!({
                            "system": b.system.id, "name": b.system.name, "criticality": b.system.criticality.slug(),
                            "department": b.system.department, "status": b.status.slug(),
                            "isolated": b.isolated, "rated": b.rated, "comment": b.comment,
                            "down_because": b.down_because, "unsigned": b.unsigned,
                            "downtime_procedure": b.system.downtime_procedure,
                        })
                    })
                    .collect();
                print_json(&json!({ "incident": IncidentRef::of(&s), "systems": list }))?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                if board.is_empty() {
                    println!("No clinical systems register: `muster systems import FILE.csv`.");
                } else {
                    println!("HICS 251 facility system status:");
                }
                for b in &board {
                    let iso = if b.isolated { " ISOLATED" } else { "" };
                    let via = if b.down_because.is_empty() {
                        String::new()
                    } else {
                        format!(" (needs isolated {})", b.down_because.join(", "))
                    };
                    let comment = b.comment.clone().map(|c| format!(" - {c}")).unwrap_or_default();
                    let unsigned = if b.unsigned { " [NO CLINICAL SIGN-OFF]" } else { "" };
                    println!(
                        "  {:<22} {:<16} {:<14}{iso}{via}{comment}{unsigned}",
                        b.status.label(),
                        b.system.id,
                        b.system.criticality.slug()
                    );
                }
            }
        }
        SystemsCommand::Impact { system } => {
            let s = m.structure(id)?;
            let impact = m.impact(&s, &system)?;
            print_impact(&impact, json)?;
        }
        SystemsCommand::Propose { system, restore, reason } => {
            let action = if restore { IsolationAction::Restore } else { IsolationAction::Isolate };
            let (e, impact) = m.propose_isolation(id, &system, action, &reason)?;
            if json {
                print_json(&json!({ "entry": WrittenView::of(&e), "impact": impact }))?;
            } else {
                print_impact(&impact, false)?;
                println!("Recorded proposal #{} to {action} {system}", e.id().short());
                if impact.needs_clinical_signoff {
                    println!("Needs the clinical liaison's sign-off: `muster systems signoff --note ...`");
                }
            }
        }
        SystemsCommand::Signoff { proposal, refuse, note } => {
            let e = m.sign_off(id, proposal.as_deref(), !refuse, &note)?;
            written(&e, json, if refuse { "refusal" } else { "clinical sign-off" })?;
        }
        SystemsCommand::CarryOut { proposal } => {
            let e = m.carry_out(id, proposal.as_deref())?;
            written(&e, json, "isolation change")?;
        }
        SystemsCommand::Rate { system, status, comment } => {
            let status = FunctionalStatus::parse_user("STATUS", &status).map_err(StoreError::from)?;
            let e = m.rate_system(id, &system, status, comment.as_deref())?;
            written(&e, json, "system status")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_impact(impact: &muster_core::systems::Impact, json: bool) -> Result<()> {
    if json {
        return print_json(impact);
    }
    println!("Isolating {} ({}) takes down:", impact.system.id, impact.system.name);
    if impact.affected.is_empty() {
        println!("  no other system");
    }
    for a in &impact.affected {
        println!(
            "  {:<14} {:<16} {} [{}] downtime: {}",
            a.criticality.slug(),
            a.id,
            if a.direct { "directly" } else { "via" },
            a.via.join(" -> "),
            a.downtime_procedure
        );
    }
    println!("Clinical services affected:");
    for s in &impact.services {
        println!("  {} ({})", s.service, s.systems.join(", "));
    }
    if impact.needs_clinical_signoff {
        println!(
            "Clinical liaison sign-off required: {} handle medication administration or diagnostics.",
            impact.signoff_because.join(", ")
        );
    }
    Ok(())
}
