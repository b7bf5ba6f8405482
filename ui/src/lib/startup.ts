// The window's start-up: User Timing marks of its steps (script/bench-scheduler reads them) and
// the first calls to the backend, asked for before the app is mounted rather than after.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Overview } from '../bindings/Overview';
import type { Resource } from '../bindings/Resource';
import { api } from './api';
import { DATE_KEY, rangeQuery, rememberedDate, rememberedView, VIEW_KEY } from './calendar';
import { Prefs } from './prefs';
import { FIRST_RUN_HINT_KEY } from './firstRunHint';
import { HIDDEN_KEY } from './schedulerView.svelte';
import { addDays, datePart, wallTimeAt, type DateText } from './time';
import { weekStart } from './timeline';
import { SCROLL_KEY } from './scroll';
import { ZOOM_KEY } from './zoom';

const marked = new Set<string>();

/** Marks a start-up step `quick3:<step>` the first time it is reached (later ones are not start-up). */
export function markStep(step: string): void {
  if (marked.has(step)) return;
  marked.add(step);
  globalThis.performance?.mark(`quick3:${step}`);
}

/** The view preferences (and the first-run hint's dismissal), kept in the app's store (lib/prefs). */
export const viewPrefs = new Prefs(
  [VIEW_KEY, DATE_KEY, HIDDEN_KEY, ZOOM_KEY, SCROLL_KEY, FIRST_RUN_HINT_KEY],
  { read: () => api.viewPrefs(), write: (values) => api.saveViewPrefs(values) },
);

type FirstAnswers = Promise<[Overview, Resource[]]>;
let first: FirstAnswers | null = null;

/** The overview and resources, once the view preferences are read (the Scheduler reads them). */
function ask(): FirstAnswers {
  return Promise.all([api.overview(), api.listResources(), viewPrefs.load()]).then(([o, r]) => [o, r]);
}

/** Asks the backend for what the first screen needs (the overview, the resources, the view) at once. */
export function askEarly(): void {
  first ??= ask();
}

/** The overview and resources: the answers asked for early the first time, a new question after. */
export function overviewAndResources(): FirstAnswers {
  const answers = first ?? ask();
  first = null;
  return answers;
}

/**
 * The wall-time range (end exclusive) the Scheduler's first view loads on `today`: the day, or
 * the week from Monday; null for the month (EventCalendar's grid decides its weeks).
 */
export function firstRange(view: string, today: DateText): { start: string; end: string } | null {
  if (view === 'resourceTimeGridDay') return { start: `${today}T00:00:00`, end: `${addDays(today, 1)}T00:00:00` };
  if (view === 'resourceTimeGridWeek' || view === 'resourceTimelineWeek') {
    const monday = weekStart(today);
    return { start: `${monday}T00:00:00`, end: `${addDays(monday, 7)}T00:00:00` };
  }
  return null;
}

/** Asks now for the cards the Scheduler's first view will show (its view as remembered). */
export function askFirstCards(zone: string, now: Date): void {
  const today = datePart(wallTimeAt(now, zone));
  const range = firstRange(
    rememberedView(viewPrefs.getItem(VIEW_KEY)),
    rememberedDate(viewPrefs.getItem(DATE_KEY), today),
  );
  if (!range) return;
  const { from, to } = rangeQuery(range.start, range.end, zone);
  askCardsEarly(from, to);
}

let earlyCards: { key: string; answer: Promise<AppointmentCard[]> } | null = null;

/** Asks for the cards of [from, to) (RFC 3339) now, for the first view to take when it asks. */
export function askCardsEarly(from: string, to: string): void {
  const answer = api.listAppointments(from, to);
  answer.catch(() => {});
  earlyCards = { key: `${from} ${to}`, answer };
}

/**
 * The cards of [from, to): the answer asked for early when this is its range and nothing was
 * asked before it (once: later questions are asked anew), else a new question.
 */
export function cardsOf(from: string, to: string): Promise<AppointmentCard[]> {
  const early = earlyCards;
  earlyCards = null;
  return early?.key === `${from} ${to}` ? early.answer : api.listAppointments(from, to);
}
