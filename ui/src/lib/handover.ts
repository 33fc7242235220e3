// The command handover as the person at this laptop sees it: what they may do next. The backend
// enforces the same rules; this decides which buttons to show.
import type { Board } from './bindings';

export type HandoverStep =
  | { step: 'no-commander' }
  | { step: 'conflict'; commanders: string[] }
  | { step: 'can-offer'; commander: string }
  | { step: 'await-commander'; commander: string }
  | { step: 'offered-by-me'; to: string }
  | { step: 'offered-to-me'; from: string }
  | { step: 'offered-to-other'; from: string; to: string };

export function handoverStep(
  board: Pick<Board, 'commander' | 'pending_handover'>,
  operator: string,
): HandoverStep {
  const c = board.commander;
  if (c.state === 'conflict') return { step: 'conflict', commanders: c.holders.map((h) => h.person) };
  const holder = c.holders[0];
  if (c.state === 'vacant' || !holder) return { step: 'no-commander' };
  const offer = board.pending_handover;
  if (offer) {
    if (offer.to === operator) return { step: 'offered-to-me', from: offer.from };
    if (offer.from === operator) return { step: 'offered-by-me', to: offer.to };
    return { step: 'offered-to-other', from: offer.from, to: offer.to };
  }
  if (holder.person === operator) return { step: 'can-offer', commander: holder.person };
  return { step: 'await-commander', commander: holder.person };
}
