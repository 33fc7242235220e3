//! The TypeScript declarations of every IPC type, generated from the Rust types with ts-rs and
//! committed as `ui/src/lib/bindings.ts`. The test fails when the committed file drifts from the
//! Rust types (so CI catches a change on one side only); `MUSTER_WRITE_BINDINGS=1` rewrites it.

use ts_rs::TS;

use crate::command_names::COMMANDS;
use crate::error::IpcError;
use crate::views::*;

const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

fn generate() -> String {
    let decls = [
        IpcError::decl(),
        IncidentStatusView::decl(),
        ObligationState::decl(),
        CommanderState::decl(),
        HandoverState::decl(),
        ChangeSource::decl(),
        PromptAlarm::decl(),
        DeadlineAlarm::decl(),
        SyncState::decl(),
        PositionView::decl(),
        SeverityInfo::decl(),
        AppInfo::decl(),
        IncidentRow::decl(),
        StampView::decl(),
        AssignmentView::decl(),
        RosterLineView::decl(),
        CommanderView::decl(),
        BriefedDecisionView::decl(),
        BriefedPromptView::decl(),
        BriefedRoleView::decl(),
        BriefedSystemView::decl(),
        BriefedDeadlineView::decl(),
        BriefingView::decl(),
        HandoverView::decl(),
        SnoozeView::decl(),
        PromptView::decl(),
        ApprovalView::decl(),
        DecisionView::decl(),
        CadenceView::decl(),
        SeverityView::decl(),
        DeadlineView::decl(),
        AlertKind::decl(),
        AlertView::decl(),
        Board::decl(),
        CorrectionState::decl(),
        CorrectionView::decl(),
        TimelineRow::decl(),
        TimelineOrder::decl(),
        TimelineQuery::decl(),
        EntryDetail::decl(),
        EntryRef::decl(),
        Facet::decl(),
        TimelinePage::decl(),
        Written::decl(),
        Opened::decl(),
        OpenIncidentInput::decl(),
        NoteInput::decl(),
        AmendInput::decl(),
        RetractInput::decl(),
        AssignInput::decl(),
        RelieveInput::decl(),
        muster_store::HandoverInput::decl(),
        ReasonInput::decl(),
        StatusInput::decl(),
        SnoozeInput::decl(),
        CadenceInput::decl(),
        SeverityInput::decl(),
        muster_store::DecisionInput::decl(),
        ApproveInput::decl(),
        StoreChanged::decl(),
        PromptFired::decl(),
        DeadlineFired::decl(),
        TimelineIndexed::decl(),
        Choice::decl(),
        BreachVocabulary::decl(),
        AffectedView::decl(),
        ScopedSystemView::decl(),
        ScopeView::decl(),
        FiredRuleView::decl(),
        VerdictView::decl(),
        ReviewView::decl(),
        ClassificationView::decl(),
        TriggerView::decl(),
        ObligationView::decl(),
        ChecklistView::decl(),
        CommunicationView::decl(),
        DelayView::decl(),
        RulesetProblemView::decl(),
        BreachView::decl(),
        ActionView::decl(),
        BoardLineView::decl(),
        IsolatedSystemView::decl(),
        SignoffView::decl(),
        ProposalView::decl(),
        SystemsView::decl(),
        AffectedSystemView::decl(),
        AffectedServiceView::decl(),
        ImpactView::decl(),
        ScopeFormInput::decl(),
        ClassifyInput::decl(),
        ReviewFormInput::decl(),
        TriggerInput::decl(),
        CommunicationFormInput::decl(),
        NotificationInput::decl(),
        DelayFormInput::decl(),
        EscalationInput::decl(),
        RegisterInput::decl(),
        ExportInput::decl(),
        Saved::decl(),
        SystemRef::decl(),
        ProposeInput::decl(),
        SignoffInput::decl(),
        ProposalRef::decl(),
        RateInput::decl(),
        SyncStatus::decl(),
        SyncLoginInput::decl(),
        SyncLoggedIn::decl(),
        ShareInput::decl(),
        UnshareInput::decl(),
        Shared::decl(),
        SyncAlertView::decl(),
        SetAsideView::decl(),
        SyncEvidence::decl(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/dto.rs by `cargo test -p muster-desktop bindings`. Do not edit:\n\
         // change the Rust types, then run `MUSTER_WRITE_BINDINGS=1 cargo test -p muster-desktop bindings`.\n\n",
    );
    let names: Vec<String> = COMMANDS.iter().map(|c| format!("\"{c}\"")).collect();
    out.push_str(&format!("export type CommandName = {};\n\n", names.join(" | ")));
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let generated = generate();
    if std::env::var_os("MUSTER_WRITE_BINDINGS").is_some() {
        std::fs::write(BINDINGS, &generated).unwrap_or_else(|e| panic!("write {BINDINGS}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(BINDINGS).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is out of date with the Rust IPC types: run \
         `MUSTER_WRITE_BINDINGS=1 cargo test -p muster-desktop bindings` and commit the result"
    );
}

#[test]
fn the_window_is_granted_exactly_the_commands_it_calls() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/main.json"))
        .unwrap_or_else(|e| panic!("capabilities/main.json: {e}"));
    let cap: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("capabilities: {e}"));
    let mut granted: Vec<String> = cap["permissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str())
                .filter_map(|p| p.strip_prefix("allow-"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    granted.sort();
    let mut expected: Vec<String> = COMMANDS.iter().map(|c| c.replace('_', "-")).collect();
    expected.sort();
    assert_eq!(granted, expected);
    // The UI calls exactly these: every name in the UI's api module is a command, and back.
    let api = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/api.ts"))
        .unwrap_or_else(|e| panic!("ui/src/lib/api.ts: {e}"));
    for c in COMMANDS {
        assert!(api.contains(&format!("'{c}'")), "the UI's api.ts never calls {c}: drop it or use it");
    }
}
