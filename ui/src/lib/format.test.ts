import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateRange,
  formatDayShort,
  formatHour,
  formatInstant,
  formatMonth,
  formatTime,
  formatTimeRange,
  parseTime,
  resolveFormat,
  usesTwelveHours,
  weekdayNames,
  type Format,
} from './format';

const GB: Format = { locale: 'en-GB', hour12: false };
const GB12: Format = { locale: 'en-GB', hour12: true };
const NO: Format = { locale: 'nb-NO', hour12: false };
const NO12: Format = { locale: 'nb-NO', hour12: true };
const US: Format = { locale: 'en-US', hour12: true };

describe('the format in force', () => {
  it.each([
    [null, 'en-GB', { locale: 'en-GB', hour12: false }, 'nothing chosen: the system language and its own clock'],
    [null, 'en-US', { locale: 'en-US', hour12: true }, 'the US system writes 12-hour times'],
    [{ locale: 'nb-NO', hour_cycle: null }, 'en-US', { locale: 'nb-NO', hour12: false }, 'the chosen language, its 24-hour clock'],
    [{ locale: 'nb-NO', hour_cycle: 'h12' }, 'en-US', { locale: 'nb-NO', hour12: true }, 'the chosen clock wins over the language'],
    [{ locale: null, hour_cycle: 'h24' }, 'en-US', { locale: 'en-US', hour12: false }, 'only a clock chosen: the system language'],
    [{ locale: 'xx-not a tag', hour_cycle: null }, 'de-DE', { locale: 'de-DE', hour12: false }, 'a tag Intl refuses: the system language'],
  ] as const)('%j on a %s system is %j (%s)', (setting, system, want, _why) => {
    expect(resolveFormat(setting, system)).toEqual(want);
  });
  it('knows which languages use a 12-hour clock', () => {
    expect(usesTwelveHours('en-US')).toBe(true);
    expect(usesTwelveHours('en-GB')).toBe(false);
    expect(usesTwelveHours('nb-NO')).toBe(false);
  });
});

describe('dates', () => {
  it.each([
    [GB, '7 Dec 2026'],
    [NO, '7. des. 2026'],
    [US, 'Dec 7, 2026'],
  ])('%j writes 2026-12-07 as %j', (f, want) => {
    expect(formatDate('2026-12-07', f)).toBe(want);
  });
  it('a one-day range is the date itself: the Day view title and the date field agree', () => {
    for (const f of [GB, NO, US]) expect(formatDateRange('2026-12-07', '2026-12-07', f)).toBe(formatDate('2026-12-07', f));
  });
  it.each([
    [GB, '2026-12-07', '2026-12-13', /^7\s?–\s?13 Dec 2026$/],
    [GB, '2026-11-30', '2026-12-06', /^30 Nov\s?–\s?6 Dec 2026$/],
    [GB, '2026-12-28', '2027-01-03', /^28 Dec 2026\s?–\s?3 Jan 2027$/],
    [NO, '2026-12-07', '2026-12-13', /^7\.\s?–\s?13\. des\. 2026$/],
  ])('%j writes %s to %s as one title', (f, a, b, want) => {
    expect(formatDateRange(a, b, f)).toMatch(want);
  });
  it('dates do not move with the machine’s zone (noon UTC, formatted in UTC)', () => {
    expect(formatDate('2027-01-01', GB)).toBe('1 Jan 2027');
  });
  it('months, day heads and weekday names follow the language', () => {
    expect(formatMonth('2026-12-07', GB)).toBe('December 2026');
    expect(formatMonth('2026-12-07', NO)).toBe('desember 2026');
    expect(formatDayShort('2026-12-07', GB)).toBe('Mon 7');
    expect(formatDayShort('2026-12-07', NO)).toBe('man. 7.');
    expect(weekdayNames(GB)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(weekdayNames(NO)[0]).toBe('man.');
  });
});

describe('times', () => {
  it.each([
    [GB, '08:30', '08:30'],
    [GB, '16:05', '16:05'],
    [GB12, '16:05', '4:05 pm'],
    [NO, '08:30', '08:30'],
    [NO12, '16:05', '4:05 p.m.'],
    [US, '00:15', '12:15 AM'],
    [US, '12:00', '12:00 PM'],
  ])('%j writes %s as %j', (f, time, want) => {
    expect(formatTime(time, f)).toBe(want);
  });
  it('reads a Date by its local fields, as EventCalendar passes wall times', () => {
    expect(formatTime(new Date(2026, 11, 7, 8, 30), GB)).toBe('08:30');
    expect(formatTime(new Date(2026, 11, 7, 20, 30), US)).toBe('8:30 PM');
  });
  it('a 24-hour range is tight; a 12-hour one says AM or PM at both ends, so the start alone still does', () => {
    expect(formatTimeRange('16:00', '17:00', GB)).toBe('16:00–17:00');
    expect(formatTimeRange('11:30', '12:30', US)).toBe('11:30 AM – 12:30 PM');
    expect(formatTimeRange('08:30', '08:45', US)).toBe('8:30 AM – 8:45 AM');
    expect(formatTimeRange('08:30', null, GB)).toBe('08:30');
  });
  it('hour labels on a time axis', () => {
    expect(formatHour(7, GB)).toBe('07');
    expect(formatHour(7, US)).toBe('7 AM');
    expect(formatHour(19, US)).toBe('7 PM');
  });
  it('an instant in a zone: its day and time there', () => {
    const at = new Date('2026-12-07T23:30:00Z');
    expect(formatInstant(at, 'Europe/Oslo', GB)).toEqual({ day: 'Tue 8 Dec', time: '00:30', time24: '00:30' });
    expect(formatInstant(at, 'America/New_York', US)).toEqual({ day: 'Mon, Dec 7', time: '6:30 PM', time24: '18:30' });
  });
});

describe('a typed time', () => {
  it.each([
    ['16:00', '16:00'],
    ['4:00 PM', '16:00'],
    ['4 pm', '16:00'],
    ['4:05 p.m.', '16:05'],
    ['12:15 AM', '00:15'],
    ['12:00 pm', '12:00'],
    ['8.30', '08:30'],
    ['0930', '09:30'],
    ['9', '09:00'],
    [' 07:45 ', '07:45'],
  ])('%j is %s', (text, want) => {
    expect(parseTime(text)).toBe(want);
  });
  it.each(['24:00', '13 pm', '0 am', '9:60', 'noon', '', '1:2'])('%j is not a time', (text) => {
    expect(parseTime(text)).toBeNull();
  });
  it('reads back what it writes, in every format', () => {
    for (const f of [GB, GB12, NO, NO12, US]) {
      for (const t of ['00:00', '08:30', '12:00', '16:45', '23:59']) expect(parseTime(formatTime(t, f)), `${f.locale} ${t}`).toBe(t);
    }
  });
});
