import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import { testRecord } from './test-records';
import {
  checkForm,
  formFromRecord,
  formFromSlot,
  formToInput,
  formToPatch,
  isEmptyPatch,
  shiftEndWithStart,
  type AppointmentForm,
} from './form';

const ZONE = 'Europe/Berlin';

function record(overrides: Partial<AppointmentRecord> = {}): AppointmentRecord {
  return testRecord({
    id: 'a1',
    title: 'Design review',
    end: '2026-11-25T10:30:00+01:00',
    time_zone: ZONE,
    location: 'Room 4',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    ...overrides,
  });
}

const allDayRecord = record({ all_day: true, start: '2026-11-25', end: '2026-11-27', time_zone: null });

describe('formFromSlot', () => {
  it('prefills a timed slot with its resource', () => {
    const f = formFromSlot({ resourceId: 2, allDay: false, start: '2026-11-25T09:30:00', end: '2026-11-25T10:00:00' }, 1);
    expect(f).toMatchObject({ resourceId: 2, allDay: false, startDate: '2026-11-25', startTime: '09:30', endDate: '2026-11-25', endTime: '10:00' });
  });

  it('shows an all-day selection with an inclusive last day', () => {
    const f = formFromSlot({ resourceId: null, allDay: true, start: '2026-11-25T00:00:00', end: '2026-11-27T00:00:00' }, 1);
    expect(f).toMatchObject({ resourceId: 1, allDay: true, startDate: '2026-11-25', endDate: '2026-11-26' });
  });
});

describe('formFromRecord', () => {
  it("shows timed appointments in the planner's zone", () => {
    const f = formFromRecord(record({ start: '2026-11-25T03:00:00-05:00', end: '2026-11-25T04:00:00-05:00', time_zone: 'America/New_York' }), ZONE);
    expect(f).toMatchObject({ startDate: '2026-11-25', startTime: '09:00', endTime: '10:00', location: 'Room 4', isPrivate: false });
  });

  it('turns the exclusive all-day end into the last day', () => {
    expect(formFromRecord(allDayRecord, ZONE)).toMatchObject({ allDay: true, startDate: '2026-11-25', endDate: '2026-11-26' });
  });

  it('counts any non-normal sensitivity as private', () => {
    expect(formFromRecord(record({ sensitivity: 'confidential' }), ZONE).isPrivate).toBe(true);
  });
});

describe('checkForm', () => {
  const good = formFromRecord(record(), ZONE);

  it('accepts a complete form', () => {
    expect(checkForm(good)).toBeNull();
  });

  it('asks for a title', () => {
    expect(checkForm({ ...good, title: '   ' })).toEqual({ field: 'title', message: 'Enter a title for the appointment.' });
  });

  it('refuses an end before or at the start', () => {
    expect(checkForm({ ...good, endTime: '09:00' })?.field).toBe('end');
    expect(checkForm({ ...good, endDate: '2026-11-24', endTime: '23:00' })?.message).toBe('The end must be after the start.');
  });

  it('allows an end on a later day with an earlier clock time', () => {
    expect(checkForm({ ...good, endDate: '2026-11-26', endTime: '08:00' })).toBeNull();
  });

  it('allows a one-day all-day appointment but not a last day before the first', () => {
    const day: AppointmentForm = { ...good, allDay: true, startDate: '2026-11-25', endDate: '2026-11-25' };
    expect(checkForm(day)).toBeNull();
    expect(checkForm({ ...day, endDate: '2026-11-24' })?.field).toBe('end');
  });

  it('asks for a resource and for dates', () => {
    expect(checkForm({ ...good, resourceId: null })?.field).toBe('resource');
    expect(checkForm({ ...good, startDate: '' })?.field).toBe('start');
  });
});

describe('formToInput', () => {
  it('sends timed appointments as local times with the zone', () => {
    const f = formFromSlot({ resourceId: 1, allDay: false, start: '2026-11-25T09:00:00', end: '2026-11-25T10:00:00' }, 1);
    expect(formToInput({ ...f, title: ' Standup ', isPrivate: true, showAs: 'tentative' }, ZONE)).toEqual({
      resource_id: 1,
      title: 'Standup',
      all_day: false,
      start: '2026-11-25T09:00',
      end: '2026-11-25T10:00',
      time_zone: ZONE,
      location: null,
      notes: null,
      categories: [],
      show_as: 'tentative',
      sensitivity: 'private',
    });
  });

  it('sends an all-day day with the exclusive end and no zone', () => {
    const f = formFromSlot({ resourceId: 1, allDay: true, start: '2026-11-25', end: '2026-11-26' }, 1);
    expect(formToInput({ ...f, title: 'Holiday' }, ZONE)).toMatchObject({
      all_day: true,
      start: '2026-11-25',
      end: '2026-11-26',
      time_zone: null,
    });
  });
});

describe('formToPatch', () => {
  it('sends nothing when nothing changed', () => {
    const r = record();
    const patch = formToPatch(formFromRecord(r, ZONE), r, ZONE);
    expect(isEmptyPatch(patch)).toBe(true);
  });

  it('does not rewrite the zone of an appointment whose times were not touched', () => {
    const r = record({ start: '2026-11-25T03:00:00-05:00', end: '2026-11-25T04:00:00-05:00', time_zone: 'America/New_York' });
    const patch = formToPatch({ ...formFromRecord(r, ZONE), title: 'Renamed' }, r, ZONE);
    expect(patch).toMatchObject({ title: 'Renamed', start: null, end: null, time_zone: null, all_day: null });
  });

  it('sends start, end, kind and zone together when a time changed', () => {
    const r = record();
    const patch = formToPatch({ ...formFromRecord(r, ZONE), endTime: '11:00' }, r, ZONE);
    expect(patch).toMatchObject({ all_day: false, start: '2026-11-25T09:00', end: '2026-11-25T11:00', time_zone: ZONE, title: null });
  });

  it('turns a timed appointment into an all-day one with an exclusive end', () => {
    const r = record();
    const patch = formToPatch({ ...formFromRecord(r, ZONE), allDay: true }, r, ZONE);
    expect(patch).toMatchObject({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null });
  });

  it('changes sensitivity only when the Private box was changed', () => {
    const r = record({ sensitivity: 'confidential' });
    expect(formToPatch(formFromRecord(r, ZONE), r, ZONE).sensitivity).toBeNull();
    expect(formToPatch({ ...formFromRecord(r, ZONE), isPrivate: false }, r, ZONE).sensitivity).toBe('normal');
  });

  it('moves to another resource and clears the location', () => {
    const r = record();
    expect(formToPatch({ ...formFromRecord(r, ZONE), resourceId: 2, location: '' }, r, ZONE)).toMatchObject({
      resource_id: 2,
      location: '',
    });
  });
});

describe('shiftEndWithStart', () => {
  const f = formFromRecord(record(), ZONE);

  it('keeps the duration when the start moves', () => {
    expect(shiftEndWithStart({ ...f, startTime: '14:00' }, f)).toMatchObject({ endDate: '2026-11-25', endTime: '15:30' });
    expect(shiftEndWithStart({ ...f, startTime: '23:00' }, f)).toMatchObject({ endDate: '2026-11-26', endTime: '00:30' });
  });

  it('moves the last day of an all-day range with the first', () => {
    const day = formFromRecord(allDayRecord, ZONE);
    expect(shiftEndWithStart({ ...day, startDate: '2026-11-30' }, day)).toMatchObject({ endDate: '2026-12-01' });
  });
});
