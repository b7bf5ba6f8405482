// The sync journal in words: a run's line in Activity (when, how long, counts per kind), a
// change's sentence ("Moved 09:00 → 10:00 from Outlook"), where a change's appointment is in the
// Scheduler, and the request to open it there (Activity → Scheduler).
import type { ChangeRecord } from '../bindings/ChangeRecord';
import type { FieldChange } from '../bindings/FieldChange';
import type { JournalRun } from '../bindings/JournalRun';
import { datePart, wallTimeAt } from './time';

const TRIGGERS: Record<JournalRun['trigger'], string> = {
  manual: 'Sync Calendar',
  after_edit: 'After an edit',
  scheduled: 'Scheduled job',
  organisation: 'Organisation job',
  undo: 'Undo',
};

const FIELD_NAMES: Record<string, string> = {
  subject: 'subject',
  location: 'location',
  notes: 'notes',
  categories: 'categories',
  show_as: 'show as',
  sensitivity: 'sensitivity',
  repeat: 'repeat',
  resource: 'resource',
  all_day: 'all day',
  time_zone: 'time zone',
};

function formatter(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour12: false, ...options });
}

/** "09:00" in `zone`. */
export function clock(instant: string, zone: string): string {
  return formatter(zone, { hour: '2-digit', minute: '2-digit' }).format(new Date(instant));
}

/** "Mon 7 Dec, 10:02" in `zone`. */
export function dayAndTime(instant: string, zone: string): string {
  const d = new Date(instant);
  const day = formatter(zone, { weekday: 'short', day: 'numeric', month: 'short' }).format(d);
  return `${day}, ${clock(instant, zone)}`;
}

/** How long a run took: "< 0.1 s", "0.4 s", "12 s", "2 min 5 s"; "did not finish" without an end. */
export function duration(run: JournalRun): string {
  if (!run.finished_at) return 'did not finish';
  const ms = Math.max(0, new Date(run.finished_at).getTime() - new Date(run.started_at).getTime());
  if (ms < 100) return '< 0.1 s';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "1 created · 2 updated · 1 deleted" (kinds with none left out; "no changes" when all are). */
export function counts(run: JournalRun): string {
  const parts = [
    [run.created, 'created'],
    [run.updated, 'updated'],
    [run.deleted, 'deleted'],
    [run.conflicts, run.conflicts === 1 ? 'conflict' : 'conflicts'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, word]) => `${n} ${word}`);
  return parts.length > 0 ? parts.join(' · ') : 'no changes';
}

/** A run's line in Activity. */
export interface RunLine {
  when: string;
  took: string;
  counts: string;
  trigger: string;
  /** Set when it did not succeed: why, in a few words. */
  problem: string | null;
}

export function runLine(run: JournalRun, zone: string): RunLine {
  let problem: string | null = null;
  if (run.outcome === null) problem = run.finished_at ? null : 'Did not finish';
  else if (run.outcome === 'mass_delete_blocked') problem = 'Deletions held back';
  else if (run.outcome === 'failed') problem = run.error ?? 'Failed';
  return {
    when: dayAndTime(run.started_at, zone),
    took: duration(run),
    counts: counts(run),
    trigger: TRIGGERS[run.trigger],
    problem,
  };
}

/** Runs grouped by account (the accounts' order of first appearance), newest first in each. */
export function runsByAccount(runs: JournalRun[]): { email: string; runs: JournalRun[] }[] {
  const groups = new Map<string, JournalRun[]>();
  for (const run of [...runs].sort((a, b) => b.id - a.id)) {
    const list = groups.get(run.email) ?? [];
    list.push(run);
    groups.set(run.email, list);
  }
  return [...groups].map(([email, list]) => ({ email, runs: list }));
}

function isTimeField(f: FieldChange): boolean {
  return f.field === 'start' || f.field === 'end';
}

/** A value in a few words: a time as "09:00" (with the day when it changed), a date as is. */
function valueText(f: FieldChange, value: string, zone: string, otherDay: boolean): string {
  if (isTimeField(f) && value.includes('T')) return otherDay ? dayAndTime(value, zone) : clock(value, zone);
  const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return short === '' ? '(none)' : short;
}

/** The day (YYYY-MM-DD) an instant falls on in `zone`; a date as it is. (Not en-CA's format:
 * WebKit writes it 12/09/2026.) */
function dayOf(value: string, zone: string): string {
  if (!value.includes('T')) return value;
  return datePart(wallTimeAt(new Date(value), zone));
}

/** What a change did, without where from: "Created", "Deleted", "Moved 09:00 → 10:00",
 * "Subject “A” → “B”", "Moved 09:00 → 10:00, location changed". */
export function whatChanged(change: ChangeRecord, zone: string): string {
  if (change.kind === 'created') return 'Created';
  if (change.kind === 'deleted') return 'Deleted';
  const parts: string[] = [];
  const start = change.fields.find((f) => f.field === 'start');
  const end = change.fields.find((f) => f.field === 'end');
  if (start) {
    const otherDay = dayOf(start.before, zone) !== dayOf(start.after, zone);
    parts.push(`Moved ${valueText(start, start.before, zone, otherDay)} → ${valueText(start, start.after, zone, otherDay)}`);
  } else if (end) {
    const otherDay = dayOf(end.before, zone) !== dayOf(end.after, zone);
    parts.push(`Ends ${valueText(end, end.after, zone, otherDay)} (was ${valueText(end, end.before, zone, otherDay)})`);
  }
  for (const f of change.fields) {
    if (isTimeField(f)) continue;
    if (f.field === 'subject') parts.push(`Subject “${valueText(f, f.before, zone, false)}” → “${valueText(f, f.after, zone, false)}”`);
    else parts.push(`${FIELD_NAMES[f.field] ?? f.field} changed`);
  }
  if (parts.length === 0) return 'Updated';
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a change came from and where it went, in words. */
export function causeText(change: ChangeRecord): string {
  switch (change.cause) {
    case 'outlook_changed':
      return 'from Outlook';
    case 'quick3_changed':
      return 'to Outlook';
    case 'mass_deletion_allowed':
      return 'from Outlook (mass deletion allowed)';
    case 'conflict_decided':
      return change.side === 'outlook' ? 'to Outlook (conflict decided)' : 'from Outlook (conflict decided)';
    case 'undo':
      return change.side === 'outlook' ? 'undone in Outlook' : 'undone in Quick3';
  }
}

/** An appointment's history line: "Moved 09:00 → 10:00 from Outlook, 10:02". */
export function historyLine(change: ChangeRecord, zone: string): string {
  return `${whatChanged(change, zone)} ${causeText(change)}, ${clock(change.at, zone)}`;
}

/** Where the Scheduler finds a change's appointment: its id and the day it starts (display zone);
 * none for one the change deleted. */
export interface AppointmentTarget {
  id: string;
  date: string;
  resourceId: number | null;
}

export function targetOf(change: ChangeRecord, zone: string): AppointmentTarget | null {
  if (change.kind === 'deleted' || !change.start) return null;
  return { id: change.appointment_id, date: dayOf(change.start, zone), resourceId: change.resource_id };
}

type Listener = (target: AppointmentTarget) => void;
const listeners = new Set<Listener>();

/** Asks the Scheduler (and the window around it) to show this appointment. */
export function openAppointment(target: AppointmentTarget): void {
  for (const listener of listeners) listener(target);
}

/** Listens to `openAppointment`; answers the function that stops listening. */
export function onOpenAppointment(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
