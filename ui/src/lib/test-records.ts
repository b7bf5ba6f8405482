// Appointment records for unit tests: one factory, so a new field of the generated type is added
// in one place.
import type { AppointmentRecord } from '../bindings/AppointmentRecord';

let next = 0;

/** A timed Quick3 appointment, busy, 09:00–10:00 Berlin on 25 Nov 2026, with a fresh id. */
export function testRecord(over: Partial<AppointmentRecord> = {}): AppointmentRecord {
  next += 1;
  return {
    id: `a${next}`,
    resource_id: 1,
    title: 'Meeting',
    all_day: false,
    start: '2026-11-25T09:00:00+01:00',
    end: '2026-11-25T10:00:00+01:00',
    time_zone: 'Europe/Berlin',
    location: '',
    notes: '',
    categories: [],
    show_as: 'busy',
    sensitivity: 'normal',
    origin: { kind: 'quick3' },
    recurrence: null,
    series_id: null,
    original_start: null,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    ...over,
  };
}
