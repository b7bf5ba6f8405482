// What a card or a record is to a series, for the Scheduler and the Appointment dialog: a
// single appointment, a series made in Quick3 (its master), one of its occurrences (named by
// its series and original start), or an occurrence of a series pulled from Outlook (changed as
// any pulled appointment is).
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';

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
