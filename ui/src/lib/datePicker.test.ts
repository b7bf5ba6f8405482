import { describe, expect, it } from 'vitest';
import { addMonths, isDate, isoWeek, mondayOf, monthGrid, pickerKey } from './datePicker';

describe('ISO week numbers, as Outlook shows them', () => {
  it.each([
    ['2026-12-07', 50, 'a Monday in December'],
    ['2026-12-31', 53, '2026 has 53 weeks: it starts on a Thursday'],
    ['2027-01-01', 53, 'a Friday in January still in 2026’s last week'],
    ['2027-01-03', 53, 'the Sunday ends it'],
    ['2027-01-04', 1, 'the next Monday starts week 1'],
    ['2024-12-30', 1, 'a Monday in December already in 2025’s week 1'],
    ['2025-12-29', 1, 'and again: 2026’s week 1 starts in 2025'],
    ['2021-01-03', 53, '2020 had 53 weeks too'],
    ['2020-02-29', 9, 'a leap day'],
  ])('%s is in week %i (%s)', (day, week, _why) => {
    expect(isoWeek(day)).toBe(week);
  });
});

describe('months', () => {
  it.each([
    ['2027-01-31', 1, '2027-02-28', 'kept inside a short month'],
    ['2028-01-31', 1, '2028-02-29', 'a leap year'],
    ['2026-12-15', 1, '2027-01-15', 'across the year end'],
    ['2027-01-15', -1, '2026-12-15', 'and back'],
    ['2026-03-31', -1, '2026-02-28', 'back into a short month'],
    ['2026-12-07', 12, '2027-12-07', 'a year'],
  ])('%s + %i months is %s (%s)', (day, months, want, _why) => {
    expect(addMonths(day, months)).toBe(want);
  });

  it('a month is whole weeks from Monday, each with its week number', () => {
    const grid = monthGrid('2026-12-17');
    expect(grid.map((w) => w.week)).toEqual([49, 50, 51, 52, 53]);
    expect(grid[0].days[0]).toEqual({ date: '2026-11-30', inMonth: false });
    expect(grid[0].days[1]).toEqual({ date: '2026-12-01', inMonth: true });
    expect(grid[4].days.map((d) => d.date)).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
    expect(grid.flatMap((w) => w.days).filter((d) => d.inMonth)).toHaveLength(31);
  });

  it('a February starting on a Monday fills exactly four weeks', () => {
    const grid = monthGrid('2027-02-10');
    expect(grid).toHaveLength(4);
    expect(grid.map((w) => w.week)).toEqual([5, 6, 7, 8]);
  });

  it('January’s first row can belong to the year before', () => {
    expect(monthGrid('2027-01-20')[0].week).toBe(53);
    expect(monthGrid('2027-01-20')[0].days[0].date).toBe('2026-12-28');
  });
});

describe('the keys', () => {
  const from = '2026-12-31'; // a Thursday
  it.each([
    ['ArrowLeft', false, '2026-12-30'],
    ['ArrowRight', false, '2027-01-01'],
    ['ArrowUp', false, '2026-12-24'],
    ['ArrowDown', false, '2027-01-07'],
    ['PageUp', false, '2026-11-30'],
    ['PageDown', false, '2027-01-31'],
    ['PageDown', true, '2027-12-31'],
    ['PageUp', true, '2025-12-31'],
    ['Home', false, '2026-12-28'],
    ['End', false, '2027-01-03'],
  ])('%s (Shift %s) from %s focuses %s', (key, shift, want) => {
    expect(pickerKey(from, key, shift)).toEqual({ kind: 'focus', date: want });
  });
  it('Enter and Space pick, Escape closes, other keys are left alone', () => {
    expect(pickerKey(from, 'Enter')).toEqual({ kind: 'pick' });
    expect(pickerKey(from, ' ')).toEqual({ kind: 'pick' });
    expect(pickerKey(from, 'Escape')).toEqual({ kind: 'close' });
    expect(pickerKey(from, 'a')).toBeNull();
    expect(pickerKey(from, 'Tab')).toBeNull();
  });
  it('Home on a Monday stays; End on a Sunday stays', () => {
    expect(mondayOf('2026-12-07')).toBe('2026-12-07');
    expect(pickerKey('2026-12-13', 'End')).toEqual({ kind: 'focus', date: '2026-12-13' });
  });
  it('knows a real date', () => {
    expect(isDate('2026-02-28')).toBe(true);
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2026-2-28')).toBe(false);
  });
});
