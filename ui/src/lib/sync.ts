// Sync Calendar in words: progress, the summary per account and the mass-delete question.
import type { SyncFinished } from '../bindings/SyncFinished';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { SyncSummary } from '../bindings/SyncSummary';

/** "megan.bowen@contoso.example: calendar 2 of 3 (Projects), 40 events so far" */
export function progressText(p: SyncProgress): string {
  const events = `${p.events} ${p.events === 1 ? 'event' : 'events'} so far`;
  if (p.calendar === 0) return `${p.email}: uploading changes…`;
  const name = p.calendar_name ? ` (${p.calendar_name})` : '';
  return `${p.email}: calendar ${p.calendar} of ${p.calendars}${name}, ${events}`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line per account: "megan…: 12 added, 0 updated, 0 deleted, no conflicts, no errors." */
export function summaryText(s: SyncSummary): string {
  if (s.mass_delete_blocked) {
    return `${s.email}: stopped before deleting ${s.mass_delete_blocked.would_delete} of ${s.mass_delete_blocked.pulled} appointments.`;
  }
  const parts = [
    `${s.added} added`,
    `${s.updated} updated`,
    `${s.deleted} deleted`,
    s.conflicts === 0 ? 'no conflicts' : count(s.conflicts, 'conflict'),
    s.errors.length === 0 ? 'no errors' : count(s.errors.length, 'error'),
  ];
  return `${s.email}: ${parts.join(', ')}.`;
}

/** Everything that went wrong, in the backend's plain sentences. */
export function summaryErrors(summaries: SyncSummary[]): string[] {
  return summaries.flatMap((s) => s.errors.map((e) => `${s.email}: ${e}`));
}

/** The question the mass-delete guard asks, or null when nothing was held back. */
export function massDeleteQuestion(s: SyncSummary): string | null {
  const b = s.mass_delete_blocked;
  if (!b) return null;
  return `This sync would delete ${b.would_delete} of ${b.pulled} appointments pulled from ${s.email}. Delete them?`;
}


/** After an upload that went wrong (wholly or for some accounts): what the Scheduler says; else null. */
export function uploadFailure(finished: SyncFinished): string | null {
  if (finished.cause !== 'upload') return null;
  const errors = [...summaryErrors(finished.summaries), ...(finished.error ? [finished.error.message] : [])];
  if (errors.length === 0) return null;
  return `Not yet in Outlook: ${errors.join(' ')} The change waits and goes with the next sync.`;
}
