// The Calendars… dialog: what a choice changes, in the calendars' own names.
import type { CalendarChoice } from '../bindings/CalendarChoice';

export interface CalendarChanges {
  /** Calendars switched off: their appointments leave the Scheduler on save. */
  off: string[];
  /** Calendars switched on: they arrive with the next sync. */
  on: string[];
  any: boolean;
}

export function calendarChanges(calendars: CalendarChoice[], chosen: Record<string, boolean>): CalendarChanges {
  const off = calendars.filter((c) => c.selected && !chosen[c.calendar_id]).map((c) => c.name);
  const on = calendars.filter((c) => !c.selected && chosen[c.calendar_id]).map((c) => c.name);
  return { off, on, any: off.length + on.length > 0 };
}
