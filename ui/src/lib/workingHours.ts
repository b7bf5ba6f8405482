// The resources' working hours where a planner expects them: the Day and Week views open scrolled
// to the earliest working start, the timeline shows the hours of the working day unless the planner
// chose others on its zoom bar, and the time outside a resource's working day is shaded in its
// columns (EventCalendar has no business hours: background events per resource and day, which
// EventCalendar draws behind the cards and leaves out of flexibleSlotTimeLimits).
import type { Calendar } from '@event-calendar/core';
import type { Resource } from '../bindings/Resource';
import { addDays, type DateText } from './time';

/** Where the Day and Week views open when no resource has working hours. */
export const DEFAULT_SCROLL_TIME = '08:00';
/** The class of the shading (app.css). */
export const NON_WORKING_CLASS = 'q3-non-working';

type WithHours = Pick<Resource, 'id' | 'hours'>;

function minutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

/** The earliest working start of `resources` (`HH:MM`), or the default without any. */
export function scrollTimeFor(resources: readonly WithHours[]): string {
  const starts = resources.flatMap((r) => (r.hours ? [r.hours.start] : [])).sort();
  return starts[0] ?? DEFAULT_SCROLL_TIME;
}

/** The whole hours holding every resource's working day, or null when none has working hours. */
export function workingSpan(resources: readonly WithHours[]): { first: number; last: number } | null {
  const hours = resources.flatMap((r) => (r.hours ? [r.hours] : []));
  if (hours.length === 0) return null;
  const first = Math.floor(Math.min(...hours.map((h) => minutes(h.start))) / 60);
  const last = Math.ceil(Math.max(...hours.map((h) => minutes(h.end))) / 60);
  return { first, last: Math.min(24, Math.max(last, first + 1)) };
}

/** Whether an EventCalendar event is the shading rather than a card. */
export function isNonWorking(event: { display?: string }): boolean {
  return event.display === 'background';
}

/**
 * Background events shading each resource's time outside its working day on the days from
 * `start` up to `end` (exclusive), as wall times of the calendar.
 */
export function nonWorkingEvents(resources: readonly WithHours[], start: DateText, end: DateText): Calendar.EventInput[] {
  const events: Calendar.EventInput[] = [];
  const shade = (resource: WithHours, part: string, from: string, to: string) =>
    events.push({
      id: `non-working-${resource.id}-${part}`,
      resourceIds: [String(resource.id)],
      start: from,
      end: to,
      display: 'background',
      // Not the resource's colour (EventCalendar's default for its events): a neutral shade.
      backgroundColor: 'var(--non-working)',
      classNames: [NON_WORKING_CLASS],
      editable: false,
    });
  for (const resource of resources) {
    if (!resource.hours) continue;
    const { start: opens, end: closes } = resource.hours;
    for (let day = start.slice(0, 10); day < end.slice(0, 10); day = addDays(day, 1)) {
      if (opens > '00:00') shade(resource, `${day}-before`, `${day}T00:00:00`, `${day}T${opens}:00`);
      shade(resource, `${day}-after`, `${day}T${closes}:00`, `${addDays(day, 1)}T00:00:00`);
    }
  }
  return events;
}
