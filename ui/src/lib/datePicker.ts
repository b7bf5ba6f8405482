// The date picker's arithmetic (DatePicker.svelte draws it): a month as weeks from Monday with
// ISO 8601 week numbers, as Outlook shows them, and what each key does to the focused day.
import { addDays, type DateText } from './time';

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const utc = (day: DateText) => new Date(`${day}T00:00:00Z`);

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && ymd(utc(text)) === text;
}

/** Monday is 0 … Sunday 6. */
export function weekdayIndex(day: DateText): number {
  return (utc(day).getUTCDay() + 6) % 7;
}

/** The Monday of the day's week. */
export function mondayOf(day: DateText): DateText {
  return addDays(day, -weekdayIndex(day));
}

/**
 * The ISO 8601 week number (weeks from Monday; week 1 holds the year's first Thursday), which
 * Outlook shows in Europe: 2026-12-31 is week 53, 2027-01-01 too, 2027-01-04 week 1.
 */
export function isoWeek(day: DateText): number {
  const thursday = utc(addDays(day, 3 - weekdayIndex(day)));
  const firstOfYear = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - firstOfYear) / 86_400_000 / 7) + 1;
}

/** The same day `months` months on, kept inside the month (31 Jan + 1 month = 28 or 29 Feb). */
export function addMonths(day: DateText, months: number): DateText {
  const [y, m, d] = day.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${pad(month + 1)}-${pad(Math.min(d, last))}`;
}

/** The first of the day's month. */
export function firstOfMonth(day: DateText): DateText {
  return `${day.slice(0, 7)}-01`;
}

export interface PickerDay {
  date: DateText;
  /** In the month shown (days before and after it fill the first and last weeks, dimmed). */
  inMonth: boolean;
}

export interface PickerWeek {
  week: number;
  days: PickerDay[];
}

/** The month of `day` as whole weeks from Monday, each with its ISO week number. */
export function monthGrid(day: DateText): PickerWeek[] {
  const first = firstOfMonth(day);
  const next = addMonths(first, 1);
  const weeks: PickerWeek[] = [];
  for (let monday = mondayOf(first); monday < next; monday = addDays(monday, 7)) {
    const days = Array.from({ length: 7 }, (_, i) => {
      const date = addDays(monday, i);
      return { date, inMonth: date.slice(0, 7) === first.slice(0, 7) };
    });
    weeks.push({ week: isoWeek(monday), days });
  }
  return weeks;
}

/** What a key does in the grid: focus another day, pick the focused one, or close. */
export type PickerAction = { kind: 'focus'; date: DateText } | { kind: 'pick' } | { kind: 'close' };

/**
 * The grid's keys (as WAI-ARIA's date picker dialog): arrows a day or a week, Page Up/Down a
 * month (with Shift a year), Home/End the week's Monday/Sunday, Enter or Space picks, Escape
 * closes. Anything else: null (the key is left alone).
 */
export function pickerKey(focused: DateText, key: string, shift = false): PickerAction | null {
  const focus = (date: DateText): PickerAction => ({ kind: 'focus', date });
  switch (key) {
    case 'ArrowLeft':
      return focus(addDays(focused, -1));
    case 'ArrowRight':
      return focus(addDays(focused, 1));
    case 'ArrowUp':
      return focus(addDays(focused, -7));
    case 'ArrowDown':
      return focus(addDays(focused, 7));
    case 'PageUp':
      return focus(addMonths(focused, shift ? -12 : -1));
    case 'PageDown':
      return focus(addMonths(focused, shift ? 12 : 1));
    case 'Home':
      return focus(mondayOf(focused));
    case 'End':
      return focus(addDays(mondayOf(focused), 6));
    case 'Enter':
    case ' ':
      return { kind: 'pick' };
    case 'Escape':
      return { kind: 'close' };
    default:
      return null;
  }
}
