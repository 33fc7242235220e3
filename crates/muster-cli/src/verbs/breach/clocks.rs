//! Clock `trigger`s, law-enforcement `delay`s, `comms` sent, `notification` choices and the
//! regulatory `clocks` (text, JSON, iCalendar).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use muster_core::breach::rules::clocks::{to_ical, Obligation};
use muster_core::breach::*;
use muster_core::{IncidentId, ViewerZone};
use muster_store::{CommunicationInput, DelayInput, Muster, StoreError};
use serde_json::json;

use crate::input::parse_time;
use crate::output::{print_json, written};
use crate::views::{utc, IncidentRef};

use super::*;

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
    regime: &str,
    agency: &str,
    statement: &str,
    from: &str,
    until: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let basis = DelayBasis::parse_user("--basis", basis).map_err(StoreError::from)?;
    let regime = DelayRegime::parse_user("--regime", regime).map_err(StoreError::from)?;
    let from = parse_time(m, "--from", Some(from))?.context("--from is required")?;
    let until = parse_time(m, "--until", until)?;
    let e = m.record_delay(
        id,
        DelayInput { basis, agency: agency.into(), statement: statement.into(), from, until, regime },
    )?;
    written(&e, json, &format!("delay under {}", regime.citation()))?;
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
        "owed_by": o.owed_by.slug(),
        "delayed_by": o.delayed_by.map(|r| r.slug()),
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
            "ruleset_version": rules.clocks.header.version,
            "ruleset_as_of": rules.clocks.header.as_of,
            "now": utc(now),
            "obligations": items,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", crate::text::header(&s, zone));
    let header = &rules.clocks.header;
    println!(
        "Regulatory clocks ruleset v{} ({}, {}), times in {}:",
        header.version,
        header.as_of,
        header.name,
        zone.name()
    );
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
        println!(
            "           owed by {} | {} | {} | {}",
            o.owed_by, o.citation, o.deadline, o.applies_because
        );
        if let Some(r) = &o.waiver_rationale {
            println!("           waived: {r}");
        }
        if let (Some(u), Some(regime)) = (o.suspended_until, o.delayed_by) {
            println!("           held back by a delay under {} until {}", regime.citation(), zone.format(u));
        }
    }
    Ok(ExitCode::SUCCESS)
}
