//! Human-readable output. Every time is shown in the viewer's zone, and the zone is named.

use muster_core::fold::{Commander, Decision};
use muster_core::{IncidentState, TimelineItem, ViewerZone, WallClock};
use muster_store::IncidentSummary;

const WIDTH: usize = 100;

pub fn when(w: &WallClock, zone: &ViewerZone) -> String {
    zone.format(w.instant())
}

/// Wraps `text` at word boundaries, every line indented by `indent` spaces.
pub fn wrap(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > WIDTH {
                out.push_str(&pad);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&pad);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

pub fn header(s: &IncidentState, zone: &ViewerZone) -> String {
    let drill = if s.drill { " [DRILL]" } else { "" };
    format!(
        "Incident #{} - {}{drill} ({})\nTimes in {}\n",
        s.incident_id.short(),
        s.title.as_deref().unwrap_or("(opening entry not yet received)"),
        s.status.as_str(),
        zone.name()
    )
}

pub fn commander_line(s: &IncidentState) -> String {
    match s.commander() {
        Commander::Vacant => {
            "Incident Commander: VACANT - assign one with `muster role assign incident-commander NAME`".into()
        }
        Commander::Held(a) => format!("Incident Commander: {}", a.person),
        Commander::Conflict(v) => {
            let names: Vec<String> =
                v.iter().map(|a| format!("{} (#{})", a.person, a.entry_id.short())).collect();
            format!(
                "!! COMMAND CONFLICT: {} were each assigned without knowing of the other.\n   Resolve with `muster role assign incident-commander NAME` (it supersedes both).",
                names.join(" and ")
            )
        }
    }
}

fn author_text(a: &muster_core::Author) -> String {
    match &a.position {
        Some(p) => format!("{} ({})", a.person, p.title()),
        None => a.person.clone(),
    }
}

/// One timeline entry: what it says now, and, when corrected, what it said as written and each
/// correction with who made it, when and why (the original words are never hidden).
pub fn timeline_item(t: &TimelineItem, zone: &ViewerZone) -> String {
    let event_time = |o: Option<muster_core::body::EventTime>| match o {
        Some(o) => zone.format(o.0.with_timezone(&chrono::Utc)),
        None => "as recorded".to_string(),
    };
    // The position is the one the entry was written in: the principal's, when on behalf.
    let who = match (&t.on_behalf, &t.author.position) {
        (Some(principal), Some(p)) => format!("{} for {principal} ({})", t.author.person, p.title()),
        (Some(principal), None) => format!("{} for {principal}", t.author.person),
        (None, _) => author_text(&t.author),
    };
    let mut out = format!("{}  #{}  {:<18} {}\n", when(&t.recorded, zone), t.entry_id.short(), t.kind, who);
    if let Some(reason) = &t.not_in_force {
        out.push_str(&wrap(&format!("NOT IN FORCE: {reason}"), 4));
    }
    let mut marks: Vec<String> = Vec::new();
    if let Some(o) = t.occurred_at {
        marks.push(format!("occurred {}", event_time(Some(o))));
    }
    if !t.amended_by.is_empty() {
        let refs: Vec<String> = t.amended_by.iter().map(|a| format!("#{}", a.short())).collect();
        marks.push(format!("amended by {}", refs.join(", ")));
    }
    if !t.retracted_by.is_empty() {
        let refs: Vec<String> = t.retracted_by.iter().map(|a| format!("#{}", a.short())).collect();
        marks.push(format!("RETRACTED by {}", refs.join(", ")));
    }
    let summary =
        if t.retracted_by.is_empty() { t.summary.clone() } else { format!("[retracted] {}", t.summary) };
    out.push_str(&wrap(&summary, 4));
    if t.text_amended() {
        out.push_str(&wrap(&format!("Originally: {}", t.original_summary()), 4));
    }
    if t.time_amended() {
        out.push_str(&format!("    Originally occurred: {}\n", event_time(t.original_occurred_at())));
    }
    for c in &t.corrections {
        let what = match c.kind {
            muster_core::fold::CorrectionKind::Amended => "Amended",
            muster_core::fold::CorrectionKind::Retracted => "Retracted",
        };
        let line = format!(
            "{what} {} by {} (#{}): {}",
            when(&c.stamp.at, zone),
            author_text(&c.stamp.by),
            c.stamp.entry_id.short(),
            c.reason
        );
        out.push_str(&wrap(&line, 4));
    }
    if !marks.is_empty() {
        out.push_str(&format!("    ({})\n", marks.join("; ")));
    }
    out
}

pub fn roster(s: &IncidentState, zone: &ViewerZone) -> String {
    let mut out = header(s, zone);
    out.push_str(&commander_line(s));
    out.push_str("\n\n");
    let lines = s.roster();
    if lines.is_empty() {
        out.push_str("No positions filled yet.\n");
    }
    for line in lines {
        let now = match line.holders.len() {
            0 => "(vacant)".to_string(),
            1 => line.holders[0].person.clone(),
            _ => format!(
                "CONFLICT: {}",
                line.holders.iter().map(|h| h.person.as_str()).collect::<Vec<_>>().join(" / ")
            ),
        };
        out.push_str(&format!("{:<28} {}\n", line.position.title(), now));
        for a in &line.history {
            let until = match &a.ended {
                None => "now".to_string(),
                Some(e) => {
                    let how = if e.relieved { "relieved" } else { "replaced" };
                    format!("{} ({how})", when(&e.stamp.at, zone))
                }
            };
            out.push_str(&format!("    {:<26} {} -> {}\n", a.person, when(&a.assigned_at, zone), until));
        }
    }
    if !s.cadences.is_empty() {
        out.push_str("\nStatus cadence:\n");
        for c in &s.cadences {
            let scope = c.position.as_ref().map(|p| p.title()).unwrap_or_else(|| "every position".into());
            out.push_str(&format!("    {:<26} every {} min\n", scope, c.interval_minutes));
        }
    }
    out
}

pub fn decision(d: &Decision, zone: &ViewerZone) -> String {
    let state = if d.superseded_by.is_empty() {
        "in force".to_string()
    } else {
        let refs: Vec<String> = d.superseded_by.iter().map(|x| format!("#{}", x.short())).collect();
        format!("superseded by {}", refs.join(", "))
    };
    let mut out = format!("#{}  {}  [{state}]\n", d.entry_id.short(), when(&d.recorded.at, zone));
    out.push_str(&wrap(&format!("Q: {}", d.question), 4));
    for o in &d.options {
        let mark = if *o == d.choice { "*" } else { "-" };
        out.push_str(&wrap(&format!("{mark} {o}"), 6));
    }
    out.push_str(&wrap(&format!("Why: {}", d.rationale), 4));
    out.push_str(&format!("    Authority: {}\n", d.authority));
    out
}

pub fn board(s: &IncidentState, zone: &ViewerZone, recent: usize) -> String {
    let mut out = header(s, zone);
    if let Some(o) = &s.opened {
        out.push_str(&format!("Opened {} by {}\n", when(&o.at, zone), o.by.person));
    }
    out.push_str(&commander_line(s));
    out.push('\n');
    let filled: Vec<String> = s
        .roster()
        .iter()
        .filter(|l| !l.holders.is_empty() && l.position != muster_core::Position::IncidentCommander)
        .map(|l| {
            let names: Vec<&str> = l.holders.iter().map(|h| h.person.as_str()).collect();
            let conflict = if names.len() > 1 { " (CONFLICT)" } else { "" };
            format!("  {:<28} {}{conflict}", l.position.title(), names.join(" / "))
        })
        .collect();
    if !filled.is_empty() {
        out.push_str("\nRoster\n");
        out.push_str(&filled.join("\n"));
        out.push('\n');
    }
    let open: Vec<&Decision> = s.decisions.iter().filter(|d| d.superseded_by.is_empty()).collect();
    out.push_str(&format!("\nDecisions in force ({})\n", open.len()));
    for d in open.iter().rev() {
        out.push_str(&wrap(&format!("#{}  {} -> {}", d.entry_id.short(), d.question, d.choice), 2));
    }
    out.push_str(&format!("\nLatest entries ({} in all)\n", s.entry_count));
    for t in s.timeline.iter().rev().take(recent) {
        out.push_str(&timeline_item(t, zone));
    }
    out
}

pub fn incident_list(
    list: &[IncidentSummary],
    zone: &ViewerZone,
    current: Option<muster_core::IncidentId>,
) -> String {
    if list.is_empty() {
        return "No incidents yet. Open one with `muster incident open --title ...`, or try `muster demo`.\n"
            .into();
    }
    let mut out = format!("Times in {}\n", zone.name());
    for i in list {
        let mark = if Some(i.id) == current { "*" } else { " " };
        let drill = if i.drill { " [DRILL]" } else { "" };
        let opened = i.opened.as_ref().map(|o| when(&o.at, zone)).unwrap_or_else(|| "-".into());
        let ic = match i.commanders.len() {
            0 => "IC vacant".to_string(),
            1 => format!("IC {}", i.commanders[0]),
            _ => format!("IC CONFLICT: {}", i.commanders.join(" / ")),
        };
        out.push_str(&format!(
            "{mark} #{}  {:<8}  opened {opened}  {:>6} entries  {ic}\n      {}{drill}\n",
            i.id.short(),
            i.status.as_str(),
            i.entry_count,
            i.title.as_deref().unwrap_or("(untitled)")
        ));
    }
    out
}

/// The status-update clocks, most urgent first.
pub fn prompts(clocks: &[muster_core::prompts::PromptClock], now_ms: i64, zone: &ViewerZone) -> String {
    use muster_core::prompts::PromptState;
    if clocks.is_empty() {
        return "Nobody owes a status update (assign positions; the commander owes none).\n".into();
    }
    let mut sorted: Vec<_> = clocks.iter().collect();
    sorted.sort_by_key(|c| (std::cmp::Reverse(c.state(now_ms)), c.due_ms));
    let mut out = String::new();
    for c in sorted {
        let due = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(c.due_ms)
            .map(|t| zone.format(t))
            .unwrap_or_default();
        let minutes = (c.due_ms - now_ms) / 60_000;
        let state = match c.state(now_ms) {
            PromptState::Waiting => format!("due in {minutes} min"),
            PromptState::Snoozed => format!("snoozed, due in {minutes} min"),
            PromptState::Due => "DUE".to_string(),
            PromptState::Overdue => format!("OVERDUE by {} min (escalated)", -minutes),
        };
        out.push_str(&format!(
            "{:<26} {:<24} every {:>3} min  due {due}  {state}\n",
            c.position.title(),
            c.holders.join(" / "),
            c.interval_minutes
        ));
        if let Some(s) = &c.snooze {
            out.push_str(&format!(
                "{:<26} snoozed {} min by {}: {}\n",
                "", s.minutes, s.stamp.by.person, s.reason
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_words_and_keeps_paragraphs() {
        let text = format!("{}\nsecond paragraph", "word ".repeat(40));
        let out = wrap(&text, 4);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().all(|l| l.starts_with("    ")));
        assert!(out.contains("\n    second paragraph\n"));
    }
}
