// Sync conflicts in the window: the rows of the side-by-side comparison (every field, only the
// differing ones marked), the three choices, and what the window does after one is made.
import type { ConflictField } from '../bindings/ConflictField';
import type { ConflictOutcome } from '../bindings/ConflictOutcome';
import type { ConflictRecord } from '../bindings/ConflictRecord';
import type { ConflictVersion } from '../bindings/ConflictVersion';
import type { Keep } from '../bindings/Keep';
import { showAsLabel } from './labels';

/** The fields the comparison shows, in order, with their labels (the core's conflict fields); the
 * pattern only for a series. */
export const CONFLICT_FIELDS: ReadonlyArray<{ field: ConflictField; label: string }> = [
  { field: 'subject', label: 'Subject' },
  { field: 'time', label: 'Time' },
  { field: 'pattern', label: 'Repeat' },
  { field: 'location', label: 'Location' },
  { field: 'notes', label: 'Notes' },
  { field: 'show_as', label: 'Show as' },
];

export interface ConflictRow {
  field: ConflictField;
  label: string;
  quick3: string;
  outlook: string;
  /** The versions differ here: the row is highlighted. */
  differs: boolean;
}

/** "Mon, 14 Dec 2026, 09:00 – 10:00" in `zone`, or "Mon, 14 Dec 2026 (all day)" (end exclusive). */
export function versionTime(version: ConflictVersion, zone: string): string {
  if (version.all_day) {
    const day = (text: string) =>
      new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${text}T00:00:00Z`),
      );
    const last = new Date(`${version.end}T00:00:00Z`);
    last.setUTCDate(last.getUTCDate() - 1);
    const lastText = last.toISOString().slice(0, 10);
    return lastText === version.start ? `${day(version.start)} (all day)` : `${day(version.start)} – ${day(lastText)} (all day)`;
  }
  const date = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
  const start = new Date(version.start);
  const end = new Date(version.end);
  const sameDay = date.format(start) === date.format(end);
  return sameDay
    ? `${date.format(start)}, ${time.format(start)} – ${time.format(end)}`
    : `${date.format(start)}, ${time.format(start)} – ${date.format(end)}, ${time.format(end)}`;
}

function fieldText(version: ConflictVersion, field: ConflictField, zone: string): string {
  switch (field) {
    case 'subject':
      return version.title;
    case 'time':
      return versionTime(version, zone);
    case 'location':
      return version.location;
    case 'notes':
      return version.notes;
    case 'show_as':
      return showAsLabel(version.show_as);
    case 'pattern':
      return version.repeat ?? 'Does not repeat';
  }
}

/** Both versions side by side, field by field; only the fields the core found different are marked.
 * A series master's conflict shows the pattern too; the time is then its first occurrence's. */
export function conflictRows(conflict: ConflictRecord, zone: string): ConflictRow[] {
  const series = conflict.quick3.repeat !== null || conflict.outlook.repeat !== null;
  return CONFLICT_FIELDS.filter(({ field }) => series || field !== 'pattern').map(({ field, label }) => ({
    field,
    label,
    quick3: fieldText(conflict.quick3, field, zone),
    outlook: fieldText(conflict.outlook, field, zone),
    differs: conflict.fields.includes(field),
  }));
}

/** The three ways to settle a conflict, as the dialog's buttons say them. */
export const KEEP_CHOICES: ReadonlyArray<{ keep: Keep; label: string; hint: string }> = [
  { keep: 'quick3', label: "Keep Quick3's", hint: "Outlook is changed to Quick3's version." },
  { keep: 'outlook', label: "Keep Outlook's", hint: "Quick3 takes Outlook's version." },
  { keep: 'both', label: 'Keep both', hint: "Quick3's version becomes a second appointment, also in Outlook." },
];

/** What the window does after a choice: the sentence to show, and whether to send Quick3's version now. */
export function afterResolve(outcome: ConflictOutcome): { text: string; upload: boolean } {
  return { text: outcome.message, upload: !outcome.already && outcome.keep !== 'outlook' };
}

/** The conflict a card's mark names, among those listed (none when it was settled meanwhile). */
export function conflictById(conflicts: readonly ConflictRecord[], id: number): ConflictRecord | null {
  return conflicts.find((c) => c.id === id) ?? null;
}
