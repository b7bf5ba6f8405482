// The timeline's zoom: which span of days it shows (a day to a month), which working hours of each
// day, and how wide an hour is drawn — by default as wide as lets the whole span fit the window's
// width without scrolling sideways; Ctrl + wheel and the +/− buttons step from there. Pure: the
// Scheduler keeps the choice (remembered like the other view preferences) and the timeline asks
// this module for its geometry.
import { addDays, type DateText } from './time';
import { weekStart } from './timeline';

export type SpanId = 'day' | 'workweek' | 'week' | 'twoweeks' | 'month';

export const SPANS: readonly { id: SpanId; label: string }[] = [
  { id: 'day', label: 'Day' },
  { id: 'workweek', label: 'Work week' },
  { id: 'week', label: 'Week' },
  { id: 'twoweeks', label: 'Two weeks' },
  { id: 'month', label: 'Month' },
];

/** The timeline's zoom as remembered: span, working hours, zoom step (0 = fit the window). */
export interface TimelineZoom {
  span: SpanId;
  /** First hour shown of each day (0–23). */
  first: number;
  /** Hour after the last one shown (1–24). */
  last: number;
  step: number;
}

export const ZOOM_KEY = 'quick3.scheduler.timelineZoom';
export const DEFAULT_ZOOM: TimelineZoom = { span: 'week', first: 7, last: 19, step: 0 };
/** How much wider than "fit" each zoom step draws an hour. */
export const ZOOM_FACTORS = [1, 1.5, 2, 3, 4, 6, 8] as const;
/** An hour is never drawn narrower than this (a month of 24 hours still has a grid). */
export const MIN_HOUR_WIDTH = 2;
/** Nor wider than this (zooming further shows nothing more). */
export const MAX_HOUR_WIDTH = 480;
/** Cards narrower than this show their short form (title only); the tooltip has it all. */
export const NARROW_CARD_PX = 56;

/**
 * The remembered zoom, or the default for what is missing or not understood: the hours of the
 * resources' working day (`workingHours`, lib/workingHours) unless the planner chose hours on the
 * zoom bar, else 07–19.
 */
export function rememberedZoom(stored: string | null | undefined, workingHours?: { first: number; last: number } | null): TimelineZoom {
  let raw: Partial<TimelineZoom> = {};
  try {
    const parsed = stored ? JSON.parse(stored) : {};
    if (parsed && typeof parsed === 'object') raw = parsed;
  } catch {
    raw = {};
  }
  const span = SPANS.some((s) => s.id === raw.span) ? (raw.span as SpanId) : DEFAULT_ZOOM.span;
  const hour = (v: unknown, lo: number, hi: number) => (Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi ? (v as number) : null);
  const defaults = workingHours ?? DEFAULT_ZOOM;
  let first = hour(raw.first, 0, 23) ?? defaults.first;
  let last = hour(raw.last, 1, 24) ?? defaults.last;
  if (last <= first) ({ first, last } = defaults);
  const step = hour(raw.step, 0, ZOOM_FACTORS.length - 1) ?? 0;
  return { span, first, last, step };
}

/** Whether the remembered zoom holds hours the planner chose (else the working day's are used). */
export function hoursChosen(stored: string | null | undefined): boolean {
  try {
    const parsed = stored ? JSON.parse(stored) : null;
    return !!parsed && typeof parsed === 'object' && 'first' in parsed && 'last' in parsed;
  } catch {
    return false;
  }
}

/** What is remembered of a zoom: its hours only when the planner chose them on the zoom bar. */
export function zoomToRemember(zoom: TimelineZoom, chosenHours: boolean): string {
  return JSON.stringify(chosenHours ? zoom : { span: zoom.span, step: zoom.step });
}

/** The first day of the span holding `date`: itself, its Monday, or the 1st of its month. */
export function spanStart(span: SpanId, date: DateText): DateText {
  if (span === 'day') return date.slice(0, 10);
  if (span === 'month') return `${date.slice(0, 7)}-01`;
  return weekStart(date);
}

/** How many days the span starting on `start` has. */
export function spanLength(span: SpanId, start: DateText): number {
  switch (span) {
    case 'day':
      return 1;
    case 'workweek':
      return 5;
    case 'week':
      return 7;
    case 'twoweeks':
      return 14;
    case 'month': {
      const [y, m] = start.split('-').map(Number);
      return new Date(Date.UTC(y, m, 0)).getUTCDate();
    }
  }
}

/** The first day of the span before (`step` -1) or after (1) the one starting on `start`. */
export function stepSpan(span: SpanId, start: DateText, step: 1 | -1): DateText {
  if (span === 'month') {
    const [y, m] = start.split('-').map(Number);
    const d = new Date(Date.UTC(y, m - 1 + step, 1));
    return d.toISOString().slice(0, 10);
  }
  const days = span === 'day' ? 1 : span === 'twoweeks' ? 14 : 7;
  return addDays(start, step * days);
}

/** The Mondays of the weeks the days touch (the timeline's cards are loaded by week). */
export function mondaysOf(days: readonly DateText[]): DateText[] {
  const out: DateText[] = [];
  for (const day of days) {
    const monday = weekStart(day);
    if (out[out.length - 1] !== monday) out.push(monday);
  }
  return out;
}

/**
 * Pixels per hour so that `days` days of `hours` hours fill `width` pixels (the view without the
 * names column and scroll bar), zoomed by `step` (0 = just fit).
 */
export function hourWidthFor(width: number, days: number, hours: number, step = 0): number {
  const fit = Math.floor((Math.max(0, width) / Math.max(1, days * hours)) * 100) / 100;
  const factor = ZOOM_FACTORS[Math.min(Math.max(0, step), ZOOM_FACTORS.length - 1)];
  return Math.min(MAX_HOUR_WIDTH, Math.max(MIN_HOUR_WIDTH, fit * factor));
}

/** The zoom step after zooming in (`direction` 1) or out (-1), within the steps there are. */
export function zoomed(step: number, direction: 1 | -1): number {
  return Math.min(ZOOM_FACTORS.length - 1, Math.max(0, step + direction));
}
