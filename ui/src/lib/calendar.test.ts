import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import { testRecord } from './test-records';
import type { Resource } from '../bindings/Resource';
import {
  calendarOffsetNow,
  dateToRemember,
  rememberedDate,
  DoubleClickDetector,
  isShort,
  nextFullHourSlot,
  orderResources,
  rangeQuery,
  revealTarget,
  SHORT_MINUTES,
  slotFromClick,
  slotFromSelection,
  textColourOn,
  toCalendarEvent,
  toCalendarResource,
} from './calendar';

const ada: Resource = { id: 1, name: 'Ada', email: 'ada@example.com', kind: 'person', colour: '#2459c6', hours: null, archived: false };
const room: Resource = { id: 2, name: 'Boardroom', email: null, kind: 'room', colour: '#f2c94c', hours: null, archived: false };
const zed: Resource = { id: 3, name: 'zed', email: null, kind: 'equipment', colour: '#0a7d4f', hours: null, archived: false };

function record(overrides: Partial<AppointmentRecord>): AppointmentRecord {
  return testRecord({
    id: '0b9c2f0e-6f3e-4b0a-9d1c-7d6c1a1e2b3c',
    title: 'Design review',
    end: '2026-11-25T10:30:00+01:00',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    ...overrides,
  });
}

const byId = new Map([ada, room, zed].map((r) => [r.id, r]));

describe('orderResources', () => {
  it("puts the planner's own resource first, then by name", () => {
    expect(orderResources([zed, room, ada], 3).map((r) => r.name)).toEqual(['zed', 'Ada', 'Boardroom']);
    expect(orderResources([zed, room, ada], null).map((r) => r.name)).toEqual(['Ada', 'Boardroom', 'zed']);
  });
});

describe('toCalendarResource', () => {
  it('uses the name as title, the id as string and the colour for events', () => {
    expect(toCalendarResource(room)).toMatchObject({
      id: '2',
      title: 'Boardroom',
      eventBackgroundColor: '#f2c94c',
      eventTextColor: '#1b1f24',
    });
  });
});

describe('textColourOn', () => {
  it('picks the text colour with the better contrast', () => {
    expect(textColourOn('#2459c6')).toBe('#ffffff');
    expect(textColourOn('#f2c94c')).toBe('#1b1f24');
    expect(textColourOn('#ffffff')).toBe('#1b1f24');
    expect(textColourOn('#000000')).toBe('#ffffff');
  });
});

describe('toCalendarEvent', () => {
  it("shows a timed appointment at its wall time in the planner's zone", () => {
    const e = toCalendarEvent(record({}), byId, 'Europe/Berlin');
    expect(e).toMatchObject({
      id: record({}).id,
      resourceIds: ['1'],
      allDay: false,
      start: '2026-11-25T09:00:00',
      end: '2026-11-25T10:30:00',
      title: 'Design review',
      backgroundColor: '#2459c6',
      textColor: '#ffffff',
      extendedProps: { appointmentId: record({}).id },
    });
  });

  it('converts an appointment kept in another zone to the planner zone', () => {
    const nyc = record({ start: '2026-11-25T03:00:00-05:00', end: '2026-11-25T04:00:00-05:00', time_zone: 'America/New_York' });
    const e = toCalendarEvent(nyc, byId, 'Europe/Berlin');
    expect(e.start).toBe('2026-11-25T09:00:00');
    expect(e.end).toBe('2026-11-25T10:00:00');
  });

  it('keeps all-day dates with the exclusive end', () => {
    const e = toCalendarEvent(
      record({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null }),
      byId,
      'Europe/Berlin',
    );
    expect(e).toMatchObject({ allDay: true, start: '2026-11-25', end: '2026-11-26' });
  });

  it('marks show-as and private appointments with classes', () => {
    const e = toCalendarEvent(record({ show_as: 'working_elsewhere', sensitivity: 'private' }), byId, 'UTC');
    expect(e.classNames).toEqual(['q3-show-working-elsewhere', 'q3-private', 'q3-origin-quick3']);
  });

  it('uses a neutral colour when the resource is unknown', () => {
    expect(toCalendarEvent(record({ resource_id: 99 }), byId, 'UTC').backgroundColor).toBe('#5b6b7f');
  });
});

describe('short appointments', () => {
  it('get the one-line card up to 20 minutes, timed only', () => {
    const at = (minutes: number) =>
      record({ start: '2026-11-25T09:00:00+01:00', end: new Date(Date.parse('2026-11-25T08:00:00Z') + minutes * 60000).toISOString() });
    expect(isShort(at(15))).toBe(true);
    expect(isShort(at(SHORT_MINUTES))).toBe(true);
    expect(isShort(at(30))).toBe(false);
    expect(toCalendarEvent(at(15), byId, 'Europe/Berlin').classNames).toContain('q3-short');
    expect(toCalendarEvent(at(60), byId, 'Europe/Berlin').classNames).not.toContain('q3-short');
    expect(toCalendarEvent(at(15), byId, 'Europe/Berlin').extendedProps?.short, 'the card form is chosen from it').toBe(true);
    expect(toCalendarEvent(at(60), byId, 'Europe/Berlin').extendedProps?.short).toBe(false);
    expect(isShort(record({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null }))).toBe(false);
  });
});

describe('rangeQuery', () => {
  it("turns the visible wall-time range into instants in the planner's zone", () => {
    expect(rangeQuery('2026-11-23T00:00:00', '2026-11-30T00:00:00', 'Europe/Berlin')).toEqual({
      from: '2026-11-22T23:00:00Z',
      to: '2026-11-29T23:00:00Z',
    });
  });

  it('handles a week spanning the switch to summer time', () => {
    expect(rangeQuery('2026-03-23T00:00:00', '2026-03-30T00:00:00', 'Europe/Berlin')).toEqual({
      from: '2026-03-22T23:00:00Z',
      to: '2026-03-29T22:00:00Z',
    });
  });
});

describe('calendarOffsetNow', () => {
  it("gives EventCalendar the planner zone's current offset", () => {
    expect(calendarOffsetNow('Europe/Berlin', new Date('2026-07-01T12:00:00Z'))).toBe('+02:00');
    expect(calendarOffsetNow('Europe/London', new Date('2026-01-01T12:00:00Z'))).toBe('UTC');
  });
});

describe('picked slots', () => {
  it('reads a timed drag selection with its resource', () => {
    expect(slotFromSelection('2026-11-25T09:00:00', '2026-11-25T11:30:00', false, '2')).toEqual({
      resourceId: 2,
      allDay: false,
      start: '2026-11-25T09:00:00',
      end: '2026-11-25T11:30:00',
    });
  });

  it('makes a double-clicked time slot one slot long', () => {
    expect(slotFromClick('2026-11-25T09:30:00', false, '1', 30)).toEqual({
      resourceId: 1,
      allDay: false,
      start: '2026-11-25T09:30:00',
      end: '2026-11-25T10:00:00',
    });
  });

  it('makes a double-clicked all-day cell one day long, end exclusive', () => {
    expect(slotFromClick('2026-11-25T00:00:00', true, undefined, 30)).toEqual({
      resourceId: null,
      allDay: true,
      start: '2026-11-25T00:00:00',
      end: '2026-11-26T00:00:00',
    });
  });

  it("proposes the next full hour in the planner's zone", () => {
    expect(nextFullHourSlot(new Date('2026-11-25T08:20:00Z'), 'Europe/Berlin', 1)).toEqual({
      resourceId: 1,
      allDay: false,
      start: '2026-11-25T10:00:00',
      end: '2026-11-25T11:00:00',
    });
    expect(nextFullHourSlot(new Date('2026-11-25T22:59:00Z'), 'Europe/Berlin', 1).start).toBe('2026-11-26T00:00:00');
  });
});

describe('DoubleClickDetector', () => {
  it('fires on a second click on the same slot within the interval only', () => {
    const d = new DoubleClickDetector(400);
    expect(d.click('a', 0)).toBe(false);
    expect(d.click('a', 300)).toBe(true);
    expect(d.click('a', 350)).toBe(false); // a third click starts over
    expect(d.click('b', 500)).toBe(false);
    expect(d.click('a', 600)).toBe(false); // different slot in between
    expect(d.click('a', 1100)).toBe(false); // too slow
  });
});

describe('revealTarget', () => {
  const week = { start: '2026-11-23T00:00:00', end: '2026-11-30T00:00:00' };

  it('only scrolls when the appointment is in the visible range', () => {
    expect(revealTarget(record({}), 'Europe/Berlin', week)).toEqual({ gotoDate: null, scrollTime: '08:00' });
  });

  it('goes to the date of an appointment outside the visible range', () => {
    const later = record({ start: '2026-12-03T00:30:00+01:00', end: '2026-12-03T01:00:00+01:00' });
    expect(revealTarget(later, 'Europe/Berlin', week)).toEqual({ gotoDate: '2026-12-03', scrollTime: '00:00' });
  });

  it('does not scroll for all-day appointments', () => {
    const day = record({ all_day: true, start: '2026-11-30', end: '2026-12-01', time_zone: null });
    expect(revealTarget(day, 'Europe/Berlin', week)).toEqual({ gotoDate: '2026-11-30', scrollTime: null });
  });
});

describe('rememberedDate', () => {
  it('gives back the date left today: the window reopened from the tray shows it', () => {
    expect(rememberedDate(dateToRemember('2026-03-09', '2026-03-02'), '2026-03-02')).toBe('2026-03-09');
  });
  it('starts at today when the date was left on another day', () => {
    expect(rememberedDate(dateToRemember('2026-03-09', '2026-03-01'), '2026-03-02')).toBe('2026-03-02');
  });
  it('starts at today when nothing or nonsense was stored', () => {
    expect(rememberedDate(null, '2026-03-02')).toBe('2026-03-02');
    expect(rememberedDate('not json', '2026-03-02')).toBe('2026-03-02');
    expect(rememberedDate('{"date":"9 March","on":"2026-03-02"}', '2026-03-02')).toBe('2026-03-02');
  });
});
