// The state of a status prompt at an instant, from the clock the backend computed from the log
// (muster_core::prompts: the instants it sends say when each state begins).
import type { PromptView } from './bindings';

export type PromptState = 'waiting' | 'snoozed' | 'due' | 'overdue';

export function promptState(
  p: Pick<PromptView, 'due_ms' | 'escalate_ms' | 'snoozed_until_ms'>,
  nowMs: number,
): PromptState {
  if (nowMs >= p.escalate_ms) return 'overdue';
  if (nowMs >= p.due_ms) return 'due';
  // A snooze moved the due instant: someone decided it can wait, which is not "on time".
  if (p.snoozed_until_ms !== null) return 'snoozed';
  return 'waiting';
}

/** What a prompt's badge says in each state. */
export const PROMPT_STATE_LABEL: Record<PromptState, string> = {
  waiting: 'on time',
  snoozed: 'snoozed',
  due: 'due',
  overdue: 'overdue',
};

/** Most urgent first: overdue, then due, then snoozed, then on time; then by due time. */
export function byUrgency(prompts: PromptView[], nowMs: number): PromptView[] {
  const rank: Record<PromptState, number> = { overdue: 0, due: 1, snoozed: 2, waiting: 3 };
  return [...prompts].sort(
    (a, b) => rank[promptState(a, nowMs)] - rank[promptState(b, nowMs)] || a.due_ms - b.due_ms,
  );
}

/** The prompts to escalate to the incident commander. */
export function overdue(prompts: PromptView[], nowMs: number): PromptView[] {
  return prompts.filter((p) => promptState(p, nowMs) === 'overdue');
}

/** Fraction of the interval elapsed (0..1, more when late), for the countdown bar. */
export function progress(p: Pick<PromptView, 'since_ms' | 'due_ms'>, nowMs: number): number {
  const span = p.due_ms - p.since_ms;
  if (span <= 0) return 1;
  return Math.max(0, (nowMs - p.since_ms) / span);
}
