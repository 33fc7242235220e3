import { describe, expect, it } from 'vitest';
import type { AssignmentView, Board, HandoverView } from '../../src/lib/bindings';
import { handoverStep } from '../../src/lib/handover';

type HandoverBoard = Pick<Board, 'commander' | 'pending_handover'>;

const IC = { slug: 'incident-commander', title: 'Incident Commander' };

function assignment(person: string, n = 1): AssignmentView {
  return {
    entry_id: `entry-${person}-${n}`,
    short: `${n}`.padStart(8, '0'),
    position: IC,
    person,
    assigned_ms: 1_000 * n,
    assigned_text: '',
    assigned_by: 'Admin',
    ended: null,
    ended_relieved: false,
    ended_reason: null,
  };
}

function offer(from: string, to: string): HandoverView {
  return {
    offer: { entry_id: 'offer', short: 'offer', at_ms: 0, at_text: '', by: from, by_position: IC },
    from,
    to,
    outcome: 'pending',
    outcome_at: null,
    outcome_reason: null,
    briefing: {
      situation: 'Imaging down',
      objectives: 'Restore PACS',
      severity: 'SEV1',
      roster: [],
      decisions: [],
      overdue_prompts: [],
      isolated_systems: [],
      deadlines: [],
    },
  };
}

const vacant: HandoverBoard = { commander: { state: 'vacant', holders: [] }, pending_handover: null };
const heldBy = (person: string, pending: HandoverView | null = null): HandoverBoard => ({
  commander: { state: 'held', holders: [assignment(person)] },
  pending_handover: pending,
});

describe('handoverStep', () => {
  it('vacant: asks for a commander to be assigned', () => {
    expect(handoverStep(vacant, 'Alice')).toEqual({ step: 'no-commander' });
  });

  it('a "held" state with no holder is treated as vacant', () => {
    expect(
      handoverStep({ commander: { state: 'held', holders: [] }, pending_handover: null }, 'Alice'),
    ).toEqual({ step: 'no-commander' });
  });

  it('conflict: names every commander standing, whoever is at the laptop', () => {
    const board: HandoverBoard = {
      commander: { state: 'conflict', holders: [assignment('Alice', 1), assignment('Bob', 2)] },
      pending_handover: null,
    };
    expect(handoverStep(board, 'Alice')).toEqual({ step: 'conflict', commanders: ['Alice', 'Bob'] });
    expect(handoverStep(board, 'Carol')).toEqual({ step: 'conflict', commanders: ['Alice', 'Bob'] });
  });

  it('a conflict wins over a pending offer (no handover while two commanders stand)', () => {
    const board: HandoverBoard = {
      commander: { state: 'conflict', holders: [assignment('Alice', 1), assignment('Bob', 2)] },
      pending_handover: offer('Alice', 'Carol'),
    };
    expect(handoverStep(board, 'Carol').step).toBe('conflict');
  });

  it('can-offer: the commander at the laptop may offer command', () => {
    expect(handoverStep(heldBy('Alice'), 'Alice')).toEqual({ step: 'can-offer', commander: 'Alice' });
  });

  it('await-commander: anyone else waits for the commander', () => {
    expect(handoverStep(heldBy('Alice'), 'Bob')).toEqual({ step: 'await-commander', commander: 'Alice' });
  });

  it('names are compared exactly', () => {
    expect(handoverStep(heldBy('Alice'), 'alice').step).toBe('await-commander');
  });

  it('offered-by-me: the commander who offered sees whom it was offered to', () => {
    expect(handoverStep(heldBy('Alice', offer('Alice', 'Bob')), 'Alice')).toEqual({
      step: 'offered-by-me',
      to: 'Bob',
    });
  });

  it('offered-to-me: the person named sees who offers it (and may accept)', () => {
    expect(handoverStep(heldBy('Alice', offer('Alice', 'Bob')), 'Bob')).toEqual({
      step: 'offered-to-me',
      from: 'Alice',
    });
  });

  it('offered-to-other: a third person sees both names and cannot act', () => {
    expect(handoverStep(heldBy('Alice', offer('Alice', 'Bob')), 'Carol')).toEqual({
      step: 'offered-to-other',
      from: 'Alice',
      to: 'Bob',
    });
  });
});
