// Dates and times in one format: every date and time the window writes (the date field, titles,
// cards, dialogs, tables, EventCalendar's and the Timeline's labels) goes through here, on Intl
// with the planner's language and region and hour cycle (Settings → Date and time; the system's
// unless chosen). Wall times and dates come in as the Scheduler holds them (`YYYY-MM-DD`,
// `HH:MM`, or a Date whose local fields are the wall time, as EventCalendar passes them).
import type { DateFormat } from '../bindings/DateFormat';
import type { DateText } from './time';

/** A resolved format: the Intl locale and whether the clock is 12-hour. */
export interface Format {
  locale: string;
  hour12: boolean;
}

/** The languages and regions Settings offers (any other BCP 47 tag can be stored too). */
export const LOCALE_CHOICES: readonly { tag: string; name: string }[] = [
  { tag: 'en-GB', name: 'English (United Kingdom)' },
  { tag: 'en-US', name: 'English (United States)' },
  { tag: 'nb-NO', name: 'Norsk bokmål (Norge)' },
  { tag: 'de-DE', name: 'Deutsch (Deutschland)' },
  { tag: 'nl-NL', name: 'Nederlands (Nederland)' },
  { tag: 'sv-SE', name: 'Svenska (Sverige)' },
  { tag: 'da-DK', name: 'Dansk (Danmark)' },
  { tag: 'fr-FR', name: 'Français (France)' },
];

/** The system's language and region: the webview's (it follows the desktop's locale). */
export function systemLocale(): string {
  const nav = globalThis.navigator?.language;
  return supported(nav) ?? new Intl.DateTimeFormat().resolvedOptions().locale;
}

function supported(tag: string | null | undefined): string | null {
  if (!tag) return null;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0 ? tag : null;
  } catch {
    return null; // not a well-formed tag
  }
}

/** Whether the language and region write times on a 12-hour clock (en-US yes, en-GB and nb-NO no). */
export function usesTwelveHours(locale: string): boolean {
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h11' || cycle === 'h12';
}

/**
 * The format in force: the setting's language (when Intl knows it) else the system's, and the
 * setting's hour cycle else that language's own.
 */
export function resolveFormat(setting: DateFormat | null | undefined, system: string = systemLocale()): Format {
  const locale = supported(setting?.locale) ?? supported(system) ?? 'en-GB';
  const cycle = setting?.hour_cycle ?? null;
  return { locale, hour12: cycle === null ? usesTwelveHours(locale) : cycle === 'h12' };
}

let active: Format | null = null;

/**
 * The window's format. App sets it from the overview before the Scheduler mounts and again when
 * Settings changes it (the Scheduler is drawn anew when the planner comes back to it).
 */
export function activeFormat(): Format {
  return (active ??= resolveFormat(null));
}

export function setActiveFormat(format: Format): void {
  active = format;
}

const cache = new Map<string, Intl.DateTimeFormat>();
function intl(f: Format, key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${f.locale}|${f.hour12}|${key}`;
  let found = cache.get(id);
  if (!found) {
    found = new Intl.DateTimeFormat(f.locale, { timeZone: 'UTC', ...options });
    cache.set(id, found);
  }
  return found;
}

/** Noon UTC of a date: formatted in UTC, it is that date whatever the machine's zone. */
const noon = (day: DateText) => new Date(`${day}T12:00:00Z`);

const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };

/** A date as the title and the date field write it: "7 Dec 2026", "7. des. 2026", "Dec 7, 2026". */
export function formatDate(day: DateText, f: Format = activeFormat()): string {
  return intl(f, 'date', DATE).format(noon(day));
}

/** A span of dates, one title: "7–13 Dec 2026", "30 Nov – 6 Dec 2026", "7.–13. des. 2026". */
export function formatDateRange(first: DateText, last: DateText, f: Format = activeFormat()): string {
  if (first === last) return formatDate(first, f);
  return intl(f, 'date', DATE).formatRange(noon(first), noon(last));
}

/** A month's title: "December 2026", "desember 2026". */
export function formatMonth(day: DateText, f: Format = activeFormat()): string {
  return intl(f, 'month', { month: 'long', year: 'numeric' }).format(noon(day));
}

/** A day as column heads write it: "Mon 7", "man. 7.". */
export function formatDayShort(day: DateText, f: Format = activeFormat()): string {
  return intl(f, 'dayShort', { weekday: 'short', day: 'numeric' }).format(noon(day));
}

/** A day in a list or a label: "Mon 7 Dec", "man. 7. des.", "Mon, Dec 7". */
export function formatDayMonth(day: DateText, f: Format = activeFormat()): string {
  return intl(f, 'dayMonth', { weekday: 'short', day: 'numeric', month: 'short' }).format(noon(day));
}

/** A day in full, as a screen reader says a picker's day: "Monday 7 December 2026". */
export function formatDayLong(day: DateText, f: Format = activeFormat()): string {
  return intl(f, 'dayLong', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(noon(day));
}

/** The weekdays' short names from Monday, for a month grid's heads: "Mon" … "Sun", "ma." … */
export function weekdayNames(f: Format = activeFormat(), width: 'short' | 'narrow' | 'long' = 'short'): string[] {
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => intl(f, `weekday-${width}`, { weekday: width }).format(noon(`2024-01-0${i + 1}`)));
}

/** A wall time ("HH:MM", or a Date whose local fields are the wall time) as hours and minutes. */
function wallMinutes(time: string | Date): [number, number] {
  if (typeof time === 'string') return [Number(time.slice(0, 2)), Number(time.slice(3, 5))];
  return [time.getHours(), time.getMinutes()];
}

const TIME_24: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const TIME_12: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' };

/** A time of day: "08:30", "8:30 AM", "08:30" (nb-NO), "8:30 a.m." as the language writes it. */
export function formatTime(time: string | Date, f: Format = activeFormat()): string {
  const [h, m] = wallMinutes(time);
  const at = new Date(Date.UTC(2024, 0, 1, h, m));
  return intl(f, f.hour12 ? 'time12' : 'time24', f.hour12 ? TIME_12 : TIME_24).format(at);
}

/** An hour's label on a time axis: "07", "7 AM". */
export function formatHour(hour: number, f: Format = activeFormat()): string {
  const at = new Date(Date.UTC(2024, 0, 1, hour));
  return f.hour12
    ? intl(f, 'hour12', { hour: 'numeric', hourCycle: 'h12' }).format(at)
    : String(hour).padStart(2, '0');
}

/**
 * A time span: "08:30–09:00" on a 24-hour clock; "8:30 AM – 9:00 AM" on a 12-hour one (each end
 * whole, so a card that shows only the start still says AM or PM).
 */
export function formatTimeRange(start: string | Date, end: string | Date | null | undefined, f: Format = activeFormat()): string {
  if (end === null || end === undefined) return formatTime(start, f);
  return f.hour12 ? `${formatTime(start, f)} – ${formatTime(end, f)}` : `${formatTime(start, f)}–${formatTime(end, f)}`;
}

/** An instant's day and time in a zone, written for rows in tables and lists (`time24`: "HH:MM"). */
export function formatInstant(instant: Date, zone: string, f: Format = activeFormat()): { day: string; time: string; time24: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  const time24 = `${get('hour')}:${get('minute')}`;
  return { day: formatDayMonth(day, f), time: formatTime(time24, f), time24 };
}

/**
 * A time as a person types it, in either clock: "16:00", "4:00 PM", "4 pm", "16.30", "0930",
 * "8:30 a.m." → "HH:MM"; null when it is not a time of day.
 */
export function parseTime(text: string): string | null {
  const m = text
    .trim()
    .toLowerCase()
    .match(/^(\d{1,2})(?:[:.]?(\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?$/);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? '0');
  const period = m[3]?.[0];
  if (minute > 59) return null;
  if (period) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (period === 'p' ? 12 : 0);
  } else if (hour > 23) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
