import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import { testRecord } from './test-records';
import { doubleBookedIds, findDoubleBookings } from './conflicts';

const appt = (over: Partial<AppointmentRecord> = {}): AppointmentRecord => testRecord(over);

const ZONE = 'Europe/Berlin';

describe('double bookings', () => {
  it('flags a Quick3 appointment overlapping a pulled Outlook one on the same resource', () => {
    const mine = appt({ title: 'Review' });
    const outlook = appt({
      title: 'Customer call',
      start: '2026-11-25T08:30:00Z',
      end: '2026-11-25T09:30:00Z',
      origin: { kind: 'microsoft365', account_id: 1, calendar_id: 'c', remote_id: 'r' },
    });
    const found = findDoubleBookings([mine, outlook], ZONE);
    expect(found).toHaveLength(1);
    expect(found[0].from.toISOString()).toBe('2026-11-25T08:30:00.000Z');
    expect(found[0].to.toISOString()).toBe('2026-11-25T09:00:00.000Z');
    expect(doubleBookedIds(found)).toEqual(new Set([mine.id, outlook.id]));
  });

  it('ignores touching ends, free time, and other resources', () => {
    const a = appt({});
    const touching = appt({ start: '2026-11-25T10:00:00+01:00', end: '2026-11-25T11:00:00+01:00' });
    const free = appt({ show_as: 'free' });
    const elsewhere = appt({ resource_id: 2 });
    expect(findDoubleBookings([a, touching, free, elsewhere], ZONE)).toEqual([]);
  });

  it('reads an all-day day off as the whole day in the planner zone', () => {
    const dayOff = appt({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null, show_as: 'oof' });
    const late = appt({ start: '2026-11-25T23:30:00+01:00', end: '2026-11-26T00:30:00+01:00' });
    const nextDay = appt({ start: '2026-11-26T00:00:00+01:00', end: '2026-11-26T01:00:00+01:00' });
    const found = findDoubleBookings([dayOff, late, nextDay], ZONE);
    expect(found.map((f) => [f.first.id, f.second.id])).toEqual([[dayOff.id, late.id], [late.id, nextDay.id]]);
  });

  it('reports every pair among three overlapping appointments', () => {
    const found = findDoubleBookings([appt({}), appt({}), appt({ show_as: 'tentative' })], ZONE);
    expect(found).toHaveLength(3);
  });
});
