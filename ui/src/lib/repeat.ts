// The Appointment dialog's Repeat: what the planner chose (never, daily, weekly, monthly,
// yearly; how it ends), filled from the first occurrence's date or a series' stored pattern,
// checked lightly and turned into the core's Repeat. The sentence under it comes from the core
// (describe_repeat), so the window and the CLI say the same.
import type { Recurrence } from '../bindings/Recurrence';
import type { Repeat } from '../bindings/Repeat';
import type { WeekIndex } from '../bindings/WeekIndex';
import { DATE_RE } from './time';

export type RepeatKind = 'never' | 'daily' | 'weekly' | 'monthly' | 'yearly';
/** Monthly and yearly: by a day number (a date), or by a weekday of the month. */
export type RepeatBy = 'date' | 'weekday';
export type RepeatEnd = 'never' | 'until' | 'count';

export interface RepeatForm {
  kind: RepeatKind;
  /** Every N days, weeks, months or years. */
  interval: number;
  /** Daily: every weekday (Monday to Friday) instead of every N days. */
  weekdays: boolean;
  /** Weekly: the chosen days (MO…SU). */
  days: string[];
  by: RepeatBy;
  dayOfMonth: number;
  /** By weekday: first…last, and which weekday. */
  week: WeekIndex;
  weekday: string;
  /** Yearly: the month, 1–12. */
  month: number;
  ends: RepeatEnd;
  until: string;
  count: number;
}

/** The days of the week in the order the dialog shows them, with their names. */
export const DAYS: { code: string; short: string; name: string }[] = [
  { code: 'MO', short: 'Mon', name: 'Monday' },
  { code: 'TU', short: 'Tue', name: 'Tuesday' },
  { code: 'WE', short: 'Wed', name: 'Wednesday' },
  { code: 'TH', short: 'Thu', name: 'Thursday' },
  { code: 'FR', short: 'Fri', name: 'Friday' },
  { code: 'SA', short: 'Sat', name: 'Saturday' },
  { code: 'SU', short: 'Sun', name: 'Sunday' },
];
const WORK_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];
export const WEEKS: WeekIndex[] = ['first', 'second', 'third', 'fourth', 'last'];
export const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function parts(date: string): { year: number; month: number; day: number } {
  const [year, month, day] = date.split('-').map(Number);
  return { year, month, day };
}

/** The weekday (MO…SU) a date falls on. */
export function weekdayOf(date: string): string {
  const { year, month, day } = parts(date);
  const sunday0 = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return DAYS[(sunday0 + 6) % 7].code;
}

/** Which of its month's weekdays a date is: first…fourth, or last when it is the fifth. */
export function weekOf(date: string): WeekIndex {
  return WEEKS[Math.min(4, Math.floor((parts(date).day - 1) / 7))];
}

/** Repeat as a new appointment opens it: never, with every choice ready for the start's date. */
export function repeatFormFor(startDate: string): RepeatForm {
  const valid = DATE_RE.test(startDate);
  const date = valid ? startDate : '2000-01-03';
  return {
    kind: 'never',
    interval: 1,
    weekdays: false,
    days: [weekdayOf(date)],
    by: 'date',
    dayOfMonth: parts(date).day,
    week: weekOf(date),
    weekday: weekdayOf(date),
    month: parts(date).month,
    ends: 'never',
    until: '',
    count: 10,
  };
}

/** Follows a moved start: choices that were the start's own (its weekday, day, month) move too. */
export function followStart(form: RepeatForm, before: string, after: string): RepeatForm {
  if (!DATE_RE.test(before) || !DATE_RE.test(after) || before === after) return form;
  const was = repeatFormFor(before);
  const now = repeatFormFor(after);
  const sameDays = form.days.length === 1 && form.days[0] === was.days[0];
  return {
    ...form,
    days: sameDays ? now.days : form.days,
    dayOfMonth: form.dayOfMonth === was.dayOfMonth ? now.dayOfMonth : form.dayOfMonth,
    week: form.week === was.week ? now.week : form.week,
    weekday: form.weekday === was.weekday ? now.weekday : form.weekday,
    month: form.month === was.month ? now.month : form.month,
  };
}

const GRAPH_DAYS: Record<string, string> = {
  monday: 'MO', tuesday: 'TU', wednesday: 'WE', thursday: 'TH', friday: 'FR', saturday: 'SA', sunday: 'SU',
};

/** Repeat as a series' stored pattern (Graph's recurrence) says, for editing the whole series. */
export function repeatFormFromRecurrence(recurrence: Recurrence | null, startDate: string): RepeatForm {
  const form = repeatFormFor(startDate);
  if (!recurrence) return form;
  const { pattern, range } = recurrence;
  const days = (pattern.daysOfWeek ?? []).map((d) => GRAPH_DAYS[d.toLowerCase()] ?? d.toUpperCase().slice(0, 2));
  const ends: RepeatForm =
    range.type === 'endDate' && range.endDate
      ? { ...form, ends: 'until', until: range.endDate }
      : range.type === 'numbered' && range.numberOfOccurrences
        ? { ...form, ends: 'count', count: range.numberOfOccurrences }
        : form;
  const base = { ...ends, interval: pattern.interval || 1 };
  const week = (pattern.index as WeekIndex | null | undefined) ?? base.week;
  switch (pattern.type) {
    case 'daily':
      return { ...base, kind: 'daily' };
    case 'weekly': {
      const workWeek = pattern.interval === 1 && days.length === 5 && WORK_DAYS.every((d) => days.includes(d));
      return workWeek ? { ...base, kind: 'daily', weekdays: true, days } : { ...base, kind: 'weekly', days };
    }
    case 'absoluteMonthly':
      return { ...base, kind: 'monthly', by: 'date', dayOfMonth: pattern.dayOfMonth ?? base.dayOfMonth };
    case 'relativeMonthly':
      return { ...base, kind: 'monthly', by: 'weekday', week, weekday: days[0] ?? base.weekday };
    case 'absoluteYearly':
      return {
        ...base,
        kind: 'yearly',
        by: 'date',
        dayOfMonth: pattern.dayOfMonth ?? base.dayOfMonth,
        month: pattern.month ?? base.month,
      };
    case 'relativeYearly':
      return { ...base, kind: 'yearly', by: 'weekday', week, weekday: days[0] ?? base.weekday, month: pattern.month ?? base.month };
    default:
      return base;
  }
}

/** A problem the dialog can name before asking the core; null when Repeat looks fine. */
export function checkRepeat(form: RepeatForm, startDate: string): string | null {
  if (form.kind === 'never') return null;
  const stepped = !(form.kind === 'daily' && form.weekdays);
  if (stepped && !(Number.isInteger(form.interval) && form.interval >= 1 && form.interval <= 999))
    return 'Repeat every 1 to 999 days, weeks, months or years.';
  if (form.kind === 'weekly' && form.days.length === 0) return 'Choose at least one day of the week.';
  if ((form.kind === 'monthly' || form.kind === 'yearly') && form.by === 'date' && !(form.dayOfMonth >= 1 && form.dayOfMonth <= 31))
    return 'Choose a day of the month from 1 to 31.';
  if (form.ends === 'until') {
    if (!DATE_RE.test(form.until)) return 'Enter the date the series ends.';
    if (DATE_RE.test(startDate) && form.until < startDate) return 'The series cannot end before it starts.';
  }
  if (form.ends === 'count' && !(Number.isInteger(form.count) && form.count >= 1 && form.count <= 999))
    return 'End after 1 to 999 occurrences.';
  return null;
}

/** The core's Repeat for the form; null for "never". */
export function toRepeat(form: RepeatForm): Repeat | null {
  if (form.kind === 'never') return null;
  const ends = {
    until: form.ends === 'until' ? form.until : null,
    count: form.ends === 'count' ? form.count : null,
  };
  const none = { interval: form.interval, days: [] as string[], week: null, day_of_month: null, month: null, ...ends };
  switch (form.kind) {
    case 'daily':
      return form.weekdays
        ? { ...none, every: 'daily', interval: 1, days: [...WORK_DAYS] }
        : { ...none, every: 'daily' };
    case 'weekly':
      return { ...none, every: 'weekly', days: DAYS.map((d) => d.code).filter((d) => form.days.includes(d)) };
    case 'monthly':
      return form.by === 'date'
        ? { ...none, every: 'monthly', day_of_month: form.dayOfMonth }
        : { ...none, every: 'monthly', week: form.week, days: [form.weekday] };
    case 'yearly':
      return form.by === 'date'
        ? { ...none, every: 'yearly', day_of_month: form.dayOfMonth, month: form.month }
        : { ...none, every: 'yearly', week: form.week, days: [form.weekday], month: form.month };
  }
}

/** Toggles a weekly day. */
export function toggleDay(form: RepeatForm, code: string): RepeatForm {
  const days = form.days.includes(code) ? form.days.filter((d) => d !== code) : [...form.days, code];
  return { ...form, days };
}
