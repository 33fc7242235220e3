//! `scope set|show`, `classify` and the peer `review` of a classification.

use std::process::ExitCode;

use anyhow::Result;
use muster_core::breach::*;
use muster_core::{IncidentId, Severity, ViewerZone};
use muster_store::{Muster, ReviewInput, ScopeInput, StoreError};
use serde_json::json;

use crate::output::{print_json, written};
use crate::views::{IncidentRef, WrittenView};

use muster_core::Body;

use super::*;

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
