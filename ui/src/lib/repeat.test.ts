import { describe, expect, it } from 'vitest';
import type { Recurrence } from '../bindings/Recurrence';
import {
  checkRepeat,
  followStart,
  repeatFormFor,
  repeatFormFromRecurrence,
  toggleDay,
  toRepeat,
  weekOf,
  weekdayOf,
  type RepeatForm,
} from './repeat';

// 2027-03-01 is a Monday, the first of its month.
const START = '2027-03-01';

function form(change: Partial<RepeatForm>): RepeatForm {
  return { ...repeatFormFor(START), ...change };
}

describe('repeatFormFor', () => {
  it('opens as never, with every choice ready for the start date', () => {
    const f = repeatFormFor('2027-03-29');
    expect(f.kind).toBe('never');
    expect(f.days, 'weekly starts on the start weekday').toEqual(['MO']);
    expect(f.dayOfMonth).toBe(29);
    expect(f.week, 'the fifth Monday of a month is its last').toBe('last');
    expect(f.month).toBe(3);
  });

  it('names weekdays and weeks of a month', () => {
    expect(weekdayOf('2027-03-04')).toBe('TH');
    expect(weekdayOf('2027-03-07')).toBe('SU');
    expect(weekOf('2027-03-08')).toBe('second');
    expect(weekOf('2027-03-28')).toBe('fourth');
  });
});

describe('toRepeat', () => {
  it('sends nothing for never', () => {
    expect(toRepeat(form({ kind: 'never' }))).toBeNull();
  });

  it('says every N days, or every weekday as the five work days', () => {
    expect(toRepeat(form({ kind: 'daily', interval: 3 }))).toMatchObject({ every: 'daily', interval: 3, days: [] });
    expect(toRepeat(form({ kind: 'daily', interval: 3, weekdays: true })), 'every weekday repeats every week').toMatchObject({
      every: 'daily',
      interval: 1,
      days: ['MO', 'TU', 'WE', 'TH', 'FR'],
    });
  });

  it('sends weekly days in week order, whatever order they were clicked in', () => {
    const f = toggleDay(toggleDay(form({ kind: 'weekly', interval: 2, days: [] }), 'TH'), 'MO');
    expect(toRepeat(f)).toMatchObject({ every: 'weekly', interval: 2, days: ['MO', 'TH'], week: null });
  });

  it('says monthly and yearly by a date or by a weekday of the month', () => {
    expect(toRepeat(form({ kind: 'monthly', dayOfMonth: 15 }))).toMatchObject({ every: 'monthly', day_of_month: 15, week: null, days: [] });
    expect(toRepeat(form({ kind: 'monthly', by: 'weekday', week: 'last', weekday: 'FR' }))).toMatchObject({
      every: 'monthly',
      week: 'last',
      days: ['FR'],
      day_of_month: null,
    });
    expect(toRepeat(form({ kind: 'yearly', dayOfMonth: 24, month: 12 }))).toMatchObject({ every: 'yearly', day_of_month: 24, month: 12 });
    expect(toRepeat(form({ kind: 'yearly', by: 'weekday', week: 'first', weekday: 'MO', month: 9 }))).toMatchObject({
      every: 'yearly',
      week: 'first',
      days: ['MO'],
      month: 9,
      day_of_month: null,
    });
  });

  it('ends never, on a date or after N occurrences — never both', () => {
    expect(toRepeat(form({ kind: 'weekly' }))).toMatchObject({ until: null, count: null });
    expect(toRepeat(form({ kind: 'weekly', ends: 'until', until: '2027-06-30', count: 10 }))).toMatchObject({ until: '2027-06-30', count: null });
    expect(toRepeat(form({ kind: 'weekly', ends: 'count', count: 8, until: '2027-06-30' }))).toMatchObject({ until: null, count: 8 });
  });
});

describe('checkRepeat', () => {
  it.each([
    [{ kind: 'weekly', days: [] }, 'Choose at least one day of the week.'],
    [{ kind: 'daily', interval: 0 }, 'Repeat every 1 to 999 days, weeks, months or years.'],
    [{ kind: 'weekly', ends: 'until', until: '' }, 'Enter the date the series ends.'],
    [{ kind: 'weekly', ends: 'until', until: '2027-02-01' }, 'The series cannot end before it starts.'],
    [{ kind: 'monthly', dayOfMonth: 32 }, 'Choose a day of the month from 1 to 31.'],
    [{ kind: 'yearly', ends: 'count', count: 0 }, 'End after 1 to 999 occurrences.'],
  ] as [Partial<RepeatForm>, string][])('refuses %o', (change, message) => {
    expect(checkRepeat(form(change), START)).toBe(message);
  });

  it('lets every weekday through whatever the interval box says', () => {
    expect(checkRepeat(form({ kind: 'daily', weekdays: true, interval: 0 }), START)).toBeNull();
  });
});

describe('followStart', () => {
  it('moves the choices that were the start date own, keeps the ones the planner picked', () => {
    const picked = form({ kind: 'weekly', days: ['MO'], dayOfMonth: 15 });
    const moved = followStart(picked, START, '2027-03-04');
    expect(moved.days, 'the start weekday follows the start').toEqual(['TH']);
    expect(moved.dayOfMonth, 'a day the planner chose stays').toBe(15);
    expect(moved.weekday).toBe('TH');
    const two = followStart(form({ kind: 'weekly', days: ['MO', 'TH'] }), START, '2027-03-02');
    expect(two.days, 'several chosen days stay').toEqual(['MO', 'TH']);
  });
});

describe('repeatFormFromRecurrence', () => {
  const rec = (pattern: Partial<Recurrence['pattern']>, range: Partial<Recurrence['range']> = {}): Recurrence => ({
    pattern: { type: 'weekly', interval: 1, ...pattern },
    range: { type: 'noEnd', startDate: START, ...range },
  });

  it('reads a stored weekly pattern back with its end', () => {
    const f = repeatFormFromRecurrence(rec({ interval: 2, daysOfWeek: ['monday', 'thursday'] }, { type: 'endDate', endDate: '2027-06-30' }), START);
    expect(f).toMatchObject({ kind: 'weekly', interval: 2, days: ['MO', 'TH'], ends: 'until', until: '2027-06-30' });
    expect(toRepeat(f)).toMatchObject({ every: 'weekly', interval: 2, days: ['MO', 'TH'], until: '2027-06-30' });
  });

  it('reads Monday to Friday every week as every weekday', () => {
    const f = repeatFormFromRecurrence(rec({ daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] }), START);
    expect(f).toMatchObject({ kind: 'daily', weekdays: true });
  });

  it('reads monthly and yearly patterns and a count', () => {
    expect(repeatFormFromRecurrence(rec({ type: 'relativeMonthly', index: 'last', daysOfWeek: ['friday'] }, { type: 'numbered', numberOfOccurrences: 6 }), START)).toMatchObject({
      kind: 'monthly',
      by: 'weekday',
      week: 'last',
      weekday: 'FR',
      ends: 'count',
      count: 6,
    });
    expect(repeatFormFromRecurrence(rec({ type: 'absoluteYearly', dayOfMonth: 24, month: 12 }), START)).toMatchObject({
      kind: 'yearly',
      by: 'date',
      dayOfMonth: 24,
      month: 12,
    });
  });

  it('is never for an appointment without a pattern', () => {
    expect(repeatFormFromRecurrence(null, START).kind).toBe('never');
  });
});
