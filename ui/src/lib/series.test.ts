import { describe, expect, it } from 'vitest';
import type { Repeat } from '../bindings/Repeat';
import { dayLabel, deletedText, dialogScope, editKey, occurrenceOf, savePlan, warnedAbout, type SeriesScope, type SeriesWarning } from './series';
import { testRecord } from './test-records';

const weekly = { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'noEnd', startDate: '2026-11-23' } };

describe('dialogScope', () => {
  it('tells a new, a single, a series and one occurrence apart', () => {
    expect(dialogScope(null)).toEqual({ kind: 'new' });
    expect(dialogScope(testRecord())).toEqual({ kind: 'single' });
    expect(dialogScope(testRecord({ recurrence: weekly })), 'a Quick3 master with its pattern').toEqual({ kind: 'series' });
    expect(
      dialogScope(testRecord({ id: 's1~x', series_id: 's1', original_start: '2026-11-30T08:00:00Z' })),
      'an occurrence is named by its series and original start',
    ).toEqual({ kind: 'occurrence', seriesId: 's1', occurrence: '2026-11-30T08:00:00Z' });
  });

  it('leaves appointments from Outlook to the single-appointment edit, series or not', () => {
    const origin = { kind: 'microsoft365' as const, account_id: 1, calendar_id: 'c', remote_id: 'r' };
    expect(dialogScope(testRecord({ origin, series_id: 'm', original_start: '2026-11-30T08:00:00Z' }))).toEqual({ kind: 'pulled' });
    expect(dialogScope(testRecord({ origin }))).toEqual({ kind: 'pulled' });
  });
});

describe('occurrenceOf', () => {
  it('is null for a card that is not an occurrence of a Quick3 series', () => {
    expect(occurrenceOf(testRecord())).toBeNull();
    expect(occurrenceOf(testRecord({ series_id: 's1', original_start: null })), 'a series id alone names no occurrence').toBeNull();
  });
});

describe('savePlan', () => {
  const weeklyRepeat: Repeat = { every: 'weekly', interval: 1, days: ['MO'], week: null, day_of_month: null, month: null, until: null, count: null };
  const fortnightly: Repeat = { ...weeklyRepeat, interval: 2 };
  const occurrence: SeriesScope = { kind: 'occurrence', seriesId: 's1', occurrence: '2026-11-30T08:00:00Z' };

  it.each([
    ['a new appointment without a pattern', { kind: 'new' }, null, null, false, false, { call: 'create', repeat: null }],
    ['a new series', { kind: 'new' }, weeklyRepeat, null, false, false, { call: 'create', repeat: weeklyRepeat }],
    ['an occurrence changed', occurrence, null, null, false, false, { call: 'editOccurrence', seriesId: 's1', occurrence: '2026-11-30T08:00:00Z' }],
    ['an occurrence unchanged', occurrence, null, null, true, false, { call: 'close' }],
    ['a single appointment changed', { kind: 'single' }, null, null, false, false, { call: 'edit' }],
    ['a single appointment given a pattern', { kind: 'single' }, weeklyRepeat, null, true, false, { call: 'editSeries', repeat: weeklyRepeat, askResets: false }],
    ['a series renamed: its pattern is kept, resets asked about', { kind: 'series' }, weeklyRepeat, weeklyRepeat, false, false, { call: 'editSeries', repeat: null, askResets: true }],
    ['a series with a new pattern', { kind: 'series' }, fortnightly, weeklyRepeat, true, false, { call: 'editSeries', repeat: fortnightly, askResets: true }],
    ['a series saved again after the warning', { kind: 'series' }, fortnightly, weeklyRepeat, true, true, { call: 'editSeries', repeat: fortnightly, askResets: false }],
    ['a series unchanged', { kind: 'series' }, weeklyRepeat, weeklyRepeat, true, false, { call: 'close' }],
    ['an Outlook series is edited as any pulled appointment', { kind: 'pulled' }, null, weeklyRepeat, false, false, { call: 'edit' }],
  ] as [string, SeriesScope, Repeat | null, Repeat | null, boolean, boolean, unknown][])('%s', (_, scope, wanted, opened, unchanged, warned, plan) => {
    expect(savePlan(scope, wanted, opened, unchanged, warned)).toEqual(plan);
  });

  it('makes a series set to Never one appointment, saying first what goes (as Outlook removes recurrence)', () => {
    expect(savePlan({ kind: 'series' }, null, weeklyRepeat, true, false), 'asked before anything is removed').toEqual({
      call: 'makeSingle',
      ask: true,
    });
    expect(savePlan({ kind: 'series' }, null, weeklyRepeat, false, true), 'saved again once told').toEqual({
      call: 'makeSingle',
      ask: false,
    });
  });
});

describe('warnedAbout', () => {
  const weeklyRepeat: Repeat = { every: 'weekly', interval: 1, days: ['MO'], week: null, day_of_month: null, month: null, until: null, count: null };
  const atNine = { title: 'Standup', startTime: '09:00', endTime: '09:30' };
  const atTen = { ...atNine, startTime: '10:00', endTime: '10:30' };
  const toldAtTen: SeriesWarning = { about: 'resets', edit: editKey(atTen, weeklyRepeat) };

  it('asks again about resets when the planner changes the edit after the warning', () => {
    const atEleven = editKey({ ...atNine, startTime: '11:00', endTime: '11:30' }, weeklyRepeat);
    expect(warnedAbout(toldAtTen, 'resets', atEleven), 'the warning was about 10:00, not 11:00').toBe(false);
    expect(
      savePlan({ kind: 'series' }, weeklyRepeat, weeklyRepeat, false, warnedAbout(toldAtTen, 'resets', atEleven)),
      'another time resets other occurrences (or none): the backend is asked again before saving',
    ).toEqual({ call: 'editSeries', repeat: null, askResets: true });
  });

  it('no longer warns once the edit went back to what resets nothing', () => {
    expect(warnedAbout(toldAtTen, 'resets', editKey(atNine, weeklyRepeat)), 'the old times reset nothing; the warning is stale').toBe(false);
  });

  it('asks again when only the pattern changed after the warning', () => {
    const fortnightly = { ...weeklyRepeat, interval: 2 };
    expect(warnedAbout(toldAtTen, 'resets', editKey(atTen, fortnightly)), 'another pattern resets other occurrences').toBe(false);
  });

  it('saves the warned edit, and the same edit typed again, without a second question', () => {
    expect(warnedAbout(toldAtTen, 'resets', editKey({ ...atTen }, { ...weeklyRepeat })), 'the edit the planner was told about').toBe(true);
    expect(savePlan({ kind: 'series' }, weeklyRepeat, weeklyRepeat, false, true)).toEqual({ call: 'editSeries', repeat: null, askResets: false });
  });

  it('does not take one warning for the other', () => {
    const edit = editKey(atTen, weeklyRepeat);
    expect(warnedAbout(toldAtTen, 'single', edit), 'told about resets, not about what Never removes').toBe(false);
    expect(warnedAbout({ about: 'single', edit }, 'resets', edit), 'told what Never removes, not about resets').toBe(false);
    expect(warnedAbout(null, 'resets', edit), 'nothing said yet').toBe(false);
  });
});

describe('deletedText', () => {
  const occurrence = testRecord({
    id: 's1~x',
    series_id: 's1',
    original_start: '2026-12-14T08:00:00Z',
    start: '2026-12-14T09:00:00+01:00',
  });

  const enGB = { locale: 'en-GB', hour12: false };

  it('names the occurrence by the day it was shown on, in the Scheduler’s zone', () => {
    expect(deletedText(occurrence, 'Europe/Oslo', enGB)).toBe('Deleted the occurrence of Mon 14 Dec');
    expect(
      deletedText({ ...occurrence, start: '2026-12-14T23:30:00Z' }, 'Europe/Oslo', enGB),
      'late on Monday in UTC is Tuesday in Oslo',
    ).toBe('Deleted the occurrence of Tue 15 Dec');
  });

  it('writes the day in the planner’s language, in its order', () => {
    expect(deletedText(occurrence, 'Europe/Oslo', { locale: 'en-US', hour12: true })).toBe('Deleted the occurrence of Mon Dec 14');
    expect(deletedText(occurrence, 'Europe/Oslo', { locale: 'nb-NO', hour12: false })).toMatch(
      /^Deleted the occurrence of man\.? 14\.? des\.?$/,
    );
  });

  it('names the series and how many occurrences went with it', () => {
    const series = (count: number | undefined) =>
      deletedText(testRecord({ title: 'Crew stand-up', recurrence: weekly, occurrence_count: count }), 'Europe/Oslo');
    expect(series(12)).toBe('Deleted the series “Crew stand-up” (12 occurrences)');
    expect(series(1)).toBe('Deleted the series “Crew stand-up” (1 occurrence)');
    expect(series(undefined), 'a series without end has no count').toBe(
      'Deleted the series “Crew stand-up” (repeating without end)',
    );
  });

  it('keeps the plain sentence for a single appointment', () => {
    expect(deletedText(testRecord(), 'Europe/Oslo')).toBe('Appointment deleted');
  });

  it('reads an all-day appointment’s own date, whatever the zone', () => {
    expect(dayLabel('2026-12-14', true, 'Pacific/Auckland')).toBe('Mon 14 Dec');
  });
});
