//! The timeline screen's index: every entry of one incident as a compact row, filtered and
//! paged in the backend so that the UI holds only the rows on screen (100k entries stay smooth).
//! Rebuilt when the store changes; a query is a linear scan (a few milliseconds for 100k rows).
//! Ordered by when entries were recorded (the log's order) or by when they say they happened.

use std::collections::BTreeMap;
use std::time::Instant;

use muster_core::fold::CorrectionKind;
use muster_core::{IncidentId, TimelineItem, ViewerZone};

use crate::views::{
    format_ms, ms, CorrectionState, CorrectionView, Facet, PositionView, TimelineOrder, TimelinePage,
    TimelineQuery, TimelineRow,
};

/// The most rows one query returns (the UI asks for a screenful plus margin).
pub const MAX_PAGE: u32 = 1_000;

struct Row {
    item: TimelineItem,
    /// Lower-cased text (as it reads now and every earlier version of it), author, id suffix and
    /// kind: what full-text search looks in, so a corrected entry is found by its original words.
    haystack: String,
    position_slug: Option<String>,
}

pub struct TimelineIndex {
    pub incident: IncidentId,
    pub generation: u64,
    rows: Vec<Row>,
    /// Row indices by when each entry says it happened (as recorded when it gives no time),
    /// then in the log's order.
    by_occurred: Vec<usize>,
    kinds: Vec<Facet>,
    positions: Vec<Facet>,
    authors: Vec<Facet>,
}

impl std::fmt::Debug for TimelineIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimelineIndex")
            .field("incident", &self.incident)
            .field("rows", &self.rows.len())
            .finish()
    }
}

fn facets(counts: BTreeMap<String, (String, u32)>) -> Vec<Facet> {
    let mut out: Vec<Facet> =
        counts.into_iter().map(|(value, (label, count))| Facet { value, label, count }).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    out
}

impl TimelineIndex {
    /// `timeline` in fold order (oldest first), as the store returns it.
    pub fn build(incident: IncidentId, generation: u64, timeline: Vec<TimelineItem>) -> Self {
        let mut kinds: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let mut positions: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let mut authors: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let rows: Vec<Row> = timeline
            .into_iter()
            .map(|item| {
                kinds.entry(item.kind.clone()).or_insert_with(|| (item.kind.clone(), 0)).1 += 1;
                let (slug, title) = match &item.author.position {
                    Some(p) => (p.slug(), p.title()),
                    None => ("none".to_string(), "(no position)".to_string()),
                };
                positions.entry(slug).or_insert((title, 0)).1 += 1;
                authors
                    .entry(item.author.person.clone())
                    .or_insert_with(|| (item.author.person.clone(), 0))
                    .1 += 1;
                let mut words = item.summary.to_lowercase();
                if item.text_amended() {
                    for earlier in std::iter::once(item.original_summary())
                        .chain(item.corrections.iter().filter_map(|c| c.text.clone()))
                    {
                        words.push('\u{1f}');
                        words.push_str(&earlier.to_lowercase());
                    }
                }
                let haystack = format!(
                    "{words}\u{1f}{}\u{1f}{}\u{1f}{}",
                    item.author.person.to_lowercase(),
                    item.entry_id.short(),
                    item.kind
                );
                let position_slug = item.author.position.as_ref().map(|p| p.slug());
                Row { item, haystack, position_slug }
            })
            .collect();
        let mut by_occurred: Vec<usize> = (0..rows.len()).collect();
        by_occurred.sort_by_key(|&i| (happened_ms(&rows[i].item), i));
        TimelineIndex {
            incident,
            generation,
            rows,
            by_occurred,
            kinds: facets(kinds),
            positions: facets(positions),
            authors: facets(authors),
        }
    }

    /// Filters, orders and pages. Kinds, positions and authors each keep a row when the list is
    /// empty or names it; every word of `text` must appear.
    pub fn query(&self, q: &TimelineQuery, zone: &ViewerZone) -> TimelinePage {
        let started = Instant::now();
        let words: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
        let keeps = |r: &Row| {
            (q.kinds.is_empty() || q.kinds.contains(&r.item.kind))
                && (q.positions.is_empty()
                    || q.positions.iter().any(|p| Some(p.as_str()) == r.position_slug.as_deref())
                    || (q.positions.iter().any(|p| p == "none") && r.position_slug.is_none()))
                && (q.authors.is_empty() || q.authors.contains(&r.item.author.person))
                && words.iter().all(|w| r.haystack.contains(w.as_str()))
        };
        let unfiltered =
            q.kinds.is_empty() && q.positions.is_empty() && q.authors.is_empty() && words.is_empty();
        let by_occurred = q.order == TimelineOrder::Occurred;
        // The log's order is the rows' own: unfiltered, the k-th row is row k (no list built).
        let matched: Vec<usize> = match (unfiltered, by_occurred) {
            (true, false) => Vec::new(),
            (true, true) => self.by_occurred.clone(),
            (false, false) => (0..self.rows.len()).filter(|i| keeps(&self.rows[*i])).collect(),
            (false, true) => self.by_occurred.iter().copied().filter(|i| keeps(&self.rows[*i])).collect(),
        };
        let identity = unfiltered && !by_occurred;
        let matched_len = if identity { self.rows.len() } else { matched.len() };
        let limit = q.limit.min(MAX_PAGE) as usize;
        let offset = (q.offset as usize).min(matched_len);
        let end = (offset + limit).min(matched_len);
        let index_at = |k: usize| {
            let k = if q.newest_first { matched_len - 1 - k } else { k };
            if identity {
                k
            } else {
                matched[k]
            }
        };
        let rows = (offset..end).map(|k| row_view(&self.rows[index_at(k)].item, zone)).collect();
        TimelinePage {
            total: u32::try_from(self.rows.len()).unwrap_or(u32::MAX),
            matched: u32::try_from(matched_len).unwrap_or(u32::MAX),
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            rows,
            kinds: self.kinds.clone(),
            positions: self.positions.clone(),
            authors: self.authors.clone(),
            query_ms: started.elapsed().as_secs_f64() * 1000.0,
            indexing: false,
        }
    }
}

/// When an entry says it happened (ms since the epoch), else when it was recorded.
fn happened_ms(item: &TimelineItem) -> i64 {
    item.occurred_at.map_or(item.recorded.utc_ms, |t| t.0.timestamp_millis())
}

fn event_text(zone: &ViewerZone, t: Option<muster_core::body::EventTime>) -> String {
    t.map_or_else(|| "as recorded".to_string(), |t| format_ms(zone, t.0.timestamp_millis()))
}

pub fn row_view(item: &TimelineItem, zone: &ViewerZone) -> TimelineRow {
    let occurred_ms = item.occurred_at.map(|t| t.0.timestamp_millis());
    TimelineRow {
        id: item.entry_id.to_string(),
        short: item.entry_id.short(),
        kind: item.kind.clone(),
        recorded_ms: ms(item.recorded.utc_ms),
        recorded_text: format_ms(zone, item.recorded.utc_ms),
        recorded_zone: (item.recorded.zone != zone.name()).then(|| item.recorded.zone.clone()),
        occurred_ms: occurred_ms.map(ms),
        occurred_text: occurred_ms.map(|t| format_ms(zone, t)),
        author: item.author.person.clone(),
        author_position: item.author.position.as_ref().map(PositionView::of),
        on_behalf: item.on_behalf.clone(),
        not_in_force: item.not_in_force.clone(),
        summary: item.summary.clone(),
        target: item.target.map(|t| t.to_string()),
        target_short: item.target.map(|t| t.short()),
        amended_by: item.amended_by.iter().map(|i| i.short()).collect(),
        retracted_by: item.retracted_by.iter().map(|i| i.short()).collect(),
        original_summary: item.text_amended().then(|| item.original_summary()),
        original_occurred_text: item.time_amended().then(|| event_text(zone, item.original_occurred_at())),
        corrections: item
            .corrections
            .iter()
            .map(|c| CorrectionView {
                kind: match c.kind {
                    CorrectionKind::Amended => CorrectionState::Amended,
                    CorrectionKind::Retracted => CorrectionState::Retracted,
                },
                entry_id: c.stamp.entry_id.to_string(),
                short: c.stamp.entry_id.short(),
                by: c.stamp.by.person.clone(),
                by_position: c.stamp.by.position.as_ref().map(PositionView::of),
                at_ms: ms(c.stamp.at.utc_ms),
                at_text: format_ms(zone, c.stamp.at.utc_ms),
                reason: c.reason.clone(),
                text: c.text.clone(),
                occurred_text: c.occurred_at.map(|t| format_ms(zone, t.0.timestamp_millis())),
            })
            .collect(),
        can_amend: item.can_amend(),
        can_retract: item.can_retract(),
        device: item.device_id.short(),
        seq: item.seq as f64,
        clock_skew_ms: None,
    }
}
