// What a card or a record is to a series, for the Scheduler and the Appointment dialog: a
// single appointment, a series made in Quick3 (its master), one of its occurrences (named by
// its series and original start), or an occurrence of a series pulled from Outlook (changed as
// any pulled appointment is).
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import type { Repeat } from '../bindings/Repeat';
import { activeFormat, type Format } from './format';

export type SeriesScope =
  | { kind: 'new' }
  | { kind: 'single' }
  | { kind: 'series' }
  | { kind: 'occurrence'; seriesId: string; occurrence: string }
  | { kind: 'pulled' };

/** An occurrence of a series made in Quick3, by its series and original start; null otherwise. */
export function occurrenceOf(card: AppointmentCard | AppointmentRecord): { seriesId: string; occurrence: string } | null {
  if (card.origin.kind !== 'quick3' || !card.series_id || !card.original_start) return null;
  return { seriesId: card.series_id, occurrence: card.original_start };
}

/** What the dialog opened on `record` changes. */
export function dialogScope(record: AppointmentRecord | null): SeriesScope {
  if (!record) return { kind: 'new' };
  const occurrence = occurrenceOf(record);
  if (occurrence) return { kind: 'occurrence', ...occurrence };
  if (record.origin.kind !== 'quick3') return { kind: 'pulled' };
  if (record.recurrence) return { kind: 'series' };
  return { kind: 'single' };
}

/** What saving the dialog asks of the backend. */
export type SavePlan =
  | { call: 'close' }
  | { call: 'create'; repeat: Repeat | null }
  | { call: 'editOccurrence'; seriesId: string; occurrence: string }
  | { call: 'edit' }
  /** `repeat` null keeps the pattern; `askResets`: ask series_edit_resets and warn first. */
  | { call: 'editSeries'; repeat: Repeat | null; askResets: boolean }
  /**
   * Repeat Never on a whole series (Outlook's "Remove recurrence"): it becomes one appointment
   * and its other occurrences go. `ask`: say what goes (series_single_sentence) and wait for the
   * planner to save again.
   */
  | { call: 'makeSingle'; ask: boolean };

/**
 * Decides how the dialog saves: `wanted` is Repeat as chosen (null: never, or not shown),
 * `opened` as the dialog opened; `unchanged` says the patch of the other fields is empty;
 * `warned` that the planner was already told what saving does to the series' occurrences
 * (changed ones go back to the pattern; with Never, the others go).
 */
export function savePlan(
  scope: SeriesScope,
  wanted: Repeat | null,
  opened: Repeat | null,
  unchanged: boolean,
  warned: boolean,
): SavePlan {
  if (scope.kind === 'new') return { call: 'create', repeat: wanted };
  if (scope.kind === 'occurrence')
    return unchanged ? { call: 'close' } : { call: 'editOccurrence', seriesId: scope.seriesId, occurrence: scope.occurrence };
  // Appointments from Outlook show no Repeat: their pattern is Outlook's.
  const repeatChanged = scope.kind !== 'pulled' && JSON.stringify(wanted) !== JSON.stringify(opened);
  if (scope.kind === 'series' && !wanted) return { call: 'makeSingle', ask: !warned };
  if (!repeatChanged && unchanged) return { call: 'close' };
  if (scope.kind === 'series') return { call: 'editSeries', repeat: repeatChanged ? wanted : null, askResets: !warned };
  // A single appointment given a pattern becomes a series.
  if (repeatChanged) return { call: 'editSeries', repeat: wanted, askResets: false };
  return { call: 'edit' };
}

/**
 * A warning the dialog gave before saving a series, and the edit it was given for: `resets`
 * (changed occurrences go back to the pattern) or `single` (Repeat Never removes the others).
 */
export interface SeriesWarning {
  about: 'resets' | 'single';
  edit: string;
}

/** The dialog's edit as typed, its fields and its Repeat, to tell one edit from another. */
export function editKey(form: unknown, repeat: unknown): string {
  return JSON.stringify([form, repeat]);
}

/**
 * Whether the planner was told what saving `edit` does (`about`): a warning counts only for the
 * edit it was given for. Another time or pattern resets other occurrences, or none, so saving it
 * asks again; going back to the warned edit needs no second question.
 */
export function warnedAbout(told: SeriesWarning | null, about: SeriesWarning['about'], edit: string): boolean {
  return told !== null && told.about === about && told.edit === edit;
}

/**
 * "Mon 14 Dec" (en-GB), "Mon Dec 14" (en-US), "man. 14 des." (nb-NO): the day an appointment starts
 * on in `zone` (an all-day one's own date), in the planner's language, its parts in the language's
 * order joined by single spaces (the separators Intl puts between them differ between engines).
 */
export function dayLabel(start: string, allDay: boolean, zone: string, f: Format = activeFormat()): string {
  const instant = allDay ? new Date(`${start.slice(0, 10)}T12:00:00Z`) : new Date(start);
  return new Intl.DateTimeFormat(f.locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: allDay ? 'UTC' : zone,
  })
    .formatToParts(instant)
    .filter((p) => p.type === 'weekday' || p.type === 'day' || p.type === 'month')
    .map((p) => p.value)
    .join(' ');
}

/**
 * The toast after a deletion, naming exactly what went: one occurrence of a Quick3 series (by
 * the day it was shown on, in the Scheduler's `zone`), a whole series (`deleted` is its master's
 * record: its subject and how many occurrences its pattern has), or a single appointment.
 */
export function deletedText(deleted: AppointmentCard | AppointmentRecord, zone: string, f: Format = activeFormat()): string {
  if (occurrenceOf(deleted)) return `Deleted the occurrence of ${dayLabel(deleted.start, deleted.all_day, zone, f)}`;
  if ('recurrence' in deleted && deleted.recurrence && deleted.origin.kind === 'quick3') {
    const count = deleted.occurrence_count;
    const how = count == null ? 'repeating without end' : `${count} occurrence${count === 1 ? '' : 's'}`;
    return `Deleted the series “${deleted.title}” (${how})`;
  }
  return 'Appointment deleted';
}
