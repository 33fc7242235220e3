//! The access log's chain ("Trust nobody" 8, HIPAA 164.312(b)): how a row's hash is computed
//! and how `muster server audit` verifies the whole log. Pure: the rows are read by
//! `Storage::audit_rows`, written by `procedures::audit`.
//!
//! A row's hash is SHA-256 of `"muster/audit/v1\n"`, the previous row's hash, then each field
//! length-prefixed (u32 big-endian) in a fixed order. Row 1 follows the all-zero hash. The head
//! (`audit_head`) holds the last seq and hash, so that deleting the last rows is seen too.

use muster_core::{DeviceId, Hash32, IncidentId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One row of the audit log as stored. `hash` covers every other field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: u64,
    pub at_ms: i64,
    /// The user name, or `ADMIN_ACTOR` for administration on the database.
    pub actor: String,
    pub device: Option<DeviceId>,
    pub incident: Option<IncidentId>,
    pub action: String,
    /// The source address (IP), `cli`, or `-` when not known.
    pub source: String,
    /// A JSON object: counts, ranks, user names; never content.
    pub detail: String,
    pub prev_hash: Hash32,
    pub hash: Hash32,
}

/// The actor of `muster server ...` commands run on the database.
pub const ADMIN_ACTOR: &str = "server-admin";
/// The hash row 1 follows.
pub const GENESIS: Hash32 = Hash32([0; 32]);

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update(u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.update(bytes);
}

/// The hash a row must carry, from its content and `prev_hash`.
pub fn row_hash(row: &AuditRow) -> Hash32 {
    let mut h = Sha256::new();
    h.update(b"muster/audit/v1\n");
    h.update(row.prev_hash.as_bytes());
    field(&mut h, &row.seq.to_be_bytes());
    field(&mut h, &row.at_ms.to_be_bytes());
    field(&mut h, row.actor.as_bytes());
    field(&mut h, row.device.as_ref().map_or(&[][..], |d| &d.as_bytes()[..]));
    field(&mut h, row.incident.as_ref().map_or(&[][..], |i| &i.as_bytes()[..]));
    field(&mut h, row.action.as_bytes());
    field(&mut h, row.source.as_bytes());
    field(&mut h, row.detail.as_bytes());
    Hash32(h.finalize().into())
}

/// What is wrong with the log at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AuditProblem {
    /// The row's content does not match its hash: it was edited.
    Changed { seq: u64 },
    /// Rows `from..=to` are absent: deleted.
    Missing { from: u64, to: u64 },
    /// The row does not chain to the one before it: the row before was replaced (content and
    /// hash rewritten), or this row's link was edited.
    Unchained { seq: u64 },
    /// The head names a last row that is not the last row found.
    HeadMismatch { head_seq: u64, last_seq: u64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Changed { seq } => {
                write!(f, "row {seq} was changed: its content does not match its hash")
            }
            AuditProblem::Missing { from, to } if from == to => write!(f, "row {from} was deleted"),
            AuditProblem::Missing { from, to } => write!(f, "rows {from} to {to} were deleted"),
            AuditProblem::Unchained { seq } => write!(
                f,
                "row {seq} does not follow row {}: the row before it was rewritten, or this row's link was",
                seq.saturating_sub(1)
            ),
            AuditProblem::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the log's head names row {head_seq} as the last, but the last row is {last_seq}: rows were \
                 deleted or the head was edited"
            ),
        }
    }
}

/// Checks rows page by page, in seq order, against the chain.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    expected_seq: u64,
    prev: Hash32,
    pub problems: Vec<AuditProblem>,
    pub rows: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck { expected_seq: 1, prev: GENESIS, problems: Vec::new(), rows: 0 }
    }
}

impl ChainCheck {
    /// Checks the next row.
    pub fn row(&mut self, row: &AuditRow) {
        self.rows += 1;
        if row.seq > self.expected_seq {
            self.problems.push(AuditProblem::Missing { from: self.expected_seq, to: row.seq - 1 });
        } else if row.prev_hash != self.prev {
            self.problems.push(AuditProblem::Unchained { seq: row.seq });
        }
        if row_hash(row) != row.hash {
            self.problems.push(AuditProblem::Changed { seq: row.seq });
        }
        self.expected_seq = row.seq.saturating_add(1);
        self.prev = row.hash;
    }

    /// Ends the check against the stored head (last seq and hash).
    pub fn finish(mut self, head_seq: u64, head_hash: Hash32) -> ChainCheck {
        let last_seq = self.expected_seq - 1;
        if head_seq > last_seq {
            self.problems.push(AuditProblem::Missing { from: last_seq + 1, to: head_seq });
        } else if head_seq != last_seq || head_hash != self.prev {
            self.problems.push(AuditProblem::HeadMismatch { head_seq, last_seq });
        }
        self
    }

    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn chain(n: u64) -> Vec<AuditRow> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let mut row = AuditRow {
                    seq,
                    at_ms: 1_790_000_000_000 + seq as i64,
                    actor: "alice".into(),
                    device: None,
                    incident: None,
                    action: "pull".into(),
                    source: "127.0.0.1".into(),
                    detail: "{}".into(),
                    prev_hash: prev,
                    hash: GENESIS,
                };
                row.hash = row_hash(&row);
                prev = row.hash;
                row
            })
            .collect()
    }

    fn check(rows: &[AuditRow], head: (u64, Hash32)) -> Vec<AuditProblem> {
        let mut c = ChainCheck::default();
        rows.iter().for_each(|r| c.row(r));
        c.finish(head.0, head.1).problems
    }

    #[test]
    fn an_edited_a_deleted_and_a_truncated_row_are_each_named() {
        let rows = chain(5);
        let head = (5, rows[4].hash);
        assert_eq!(check(&rows, head), vec![]);
        assert_eq!(check(&[], (0, GENESIS)), vec![]);

        let mut edited = rows.clone();
        edited[2].actor = "mallory".into();
        assert_eq!(check(&edited, head), vec![AuditProblem::Changed { seq: 3 }]);

        // Rewritten with a fresh hash: the next row no longer follows it.
        edited[2].hash = row_hash(&edited[2]);
        assert_eq!(check(&edited, head), vec![AuditProblem::Unchained { seq: 4 }]);

        let deleted: Vec<AuditRow> = rows.iter().filter(|r| r.seq != 2).cloned().collect();
        assert_eq!(check(&deleted, head), vec![AuditProblem::Missing { from: 2, to: 2 }]);

        assert_eq!(check(&rows[..3], head), vec![AuditProblem::Missing { from: 4, to: 5 }]);
        assert_eq!(AuditProblem::Missing { from: 4, to: 5 }.to_string(), "rows 4 to 5 were deleted");
    }
}
