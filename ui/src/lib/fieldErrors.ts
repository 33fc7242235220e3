// Bad input shown at the field it belongs to. The backend refuses bad input with `input.invalid`
// naming the field (`occurred_at`) and saying what is wrong (`reason`); a form maps that to its
// own field and shows the reason there, under the field's label, never the field's code name.
// Whether a value is acceptable is the backend's rule; the only check made here is "empty", so
// that an empty required field says so instead of the cursor just moving.
import { errorMessage, isIpcError } from './api';

/** Messages by field name; `form` holds a refusal that belongs to no one field. */
export type FieldErrors = Record<string, string>;

/** The words people see for the backend's field names (for a message that names one). */
const FIELD_WORDS: Record<string, string> = {
  occurred_at: 'When it happened',
  text: 'Text',
  reason: 'Reason',
  title: 'Title',
  summary: 'Closing summary',
  person: 'Person',
  position: 'Position',
  question: 'Question',
  choice: 'Choice',
  rationale: 'Rationale',
  to: 'To',
  situation: 'Situation',
  objectives: 'Objectives',
  minutes: 'Minutes',
  severity: 'Severity',
};

/** A field's name in words (`occurred_at` → "When it happened"). */
export function fieldWords(field: string): string {
  const base = field.split('.')[0] ?? field;
  return FIELD_WORDS[base] ?? base.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * The errors to show for a refused write: the backend's reason at the field it names when the
 * form has that field (`fields` maps the backend's names to the form's), else the whole message
 * in plain words under the form.
 */
export function errorsFrom(e: unknown, fields: Record<string, string>): FieldErrors {
  if (isIpcError(e) && e.code === 'input.invalid' && e.field) {
    const base = e.field.split('.')[0] ?? e.field;
    const mine = fields[e.field] ?? fields[base];
    const reason = e.reason ?? e.message;
    if (mine) return { [mine]: capitalise(reason) };
    return { form: `${fieldWords(e.field)}: ${reason}` };
  }
  return { form: errorMessage(e) };
}

/** "Write …" messages for required fields left empty, by the form's field names. */
export function missing(values: Record<string, string>, messages: Record<string, string>): FieldErrors {
  const out: FieldErrors = {};
  for (const [name, value] of Object.entries(values)) {
    if (!value.trim()) out[name] = messages[name] ?? 'Write something here.';
  }
  return out;
}

export const hasErrors = (errors: FieldErrors): boolean => Object.keys(errors).length > 0;

function capitalise(s: string): string {
  const t = s.trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : t;
}
