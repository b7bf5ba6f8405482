// The options the Scheduler gives EventCalendar for the day, week and month: how the grid looks,
// and EventCalendar's callbacks turned into the Scheduler's own (the dates shown, a card opened,
// a new slot picked by drag or double click, a card moved or resized). No Svelte state: the
// Scheduler passes its hooks in, and Vitest calls the callbacks with EventCalendar's arguments.
import type { Calendar } from '@event-calendar/core';
import { calendarOffsetNow, DoubleClickDetector, slotFromClick, slotFromSelection, type PickedSlot } from './calendar';
import { activeFormat, formatDateRange, formatMonth, formatTime, formatTimeRange, type Format } from './format';
import { addDays, datePart, wallTimeOfLocalDate, type DateText } from './time';
import { DEFAULT_SCROLL_TIME, isNonWorking } from './workingHours';

/** The grid's rows: half hours. */
export const SLOT_MINUTES = 30;
/** Two clicks on one slot within this many milliseconds are a double click (a new appointment). */
export const DOUBLE_CLICK_MS = 450;

/** What EventCalendar shows after a change of view or dates. */
export interface DatesShown {
  /** The range loaded, as EventCalendar's local date-times. */
  range: { start: string; end: string };
  /** The first day shown. */
  date: DateText;
  title: string;
  view: string;
}

/** What the Scheduler does when EventCalendar calls. */
export interface CalendarHooks {
  /** The cards of a range (EventCalendar's event source). */
  events: (info: Calendar.FetchInfo) => Promise<Calendar.EventInput[]>;
  loading: (isLoading: boolean) => void;
  datesShown: (shown: DatesShown) => void;
  /** A card's content and what happens once it is drawn (CalendarView's). */
  content: (info: Calendar.EventContentInfo) => Calendar.Content;
  drawn: (info: Calendar.EventDidMountInfo) => void;
  /** A card clicked (or Enter on it): the dialog for it. */
  open: (id: string) => void;
  /** A slot picked for a new appointment. */
  create: (slot: PickedSlot) => void;
  /** A card dragged or resized; `revert` puts it back when the change is refused. */
  moved: (event: Calendar.Event, revert: () => void, newResource?: Calendar.Resource) => void;
  /** The shading of the time outside the resources' working days in a range (lib/workingHours). */
  nonWorking?: (info: Calendar.FetchInfo) => Promise<Calendar.EventInput[]>;
}

export interface CalendarSetup {
  view: string;
  /** The date shown first (the one the planner left the Scheduler on, or today). */
  date?: DateText;
  /** The display zone (EventCalendar is given its offset now). */
  zone: string;
  now: Date;
  resources: Calendar.ResourceInput[];
  /** Where the Day and Week views open (the earliest working start; lib/workingHours). */
  scrollTime?: string;
  /** Milliseconds now, for the double click (tests pass their own). */
  clock?: () => number;
  /** How dates and times are written (the window's, `format.activeFormat`, unless given). */
  format?: Format;
}

/**
 * The title of the days EventCalendar shows (`end` exclusive) in the window's format: the Day
 * view's is the date as the date field writes it, a week's one range, the month's its name.
 */
export function viewTitle(view: string, start: DateText, end: DateText, f: Format): string {
  if (view === 'dayGridMonth') return formatMonth(addDays(start, 7), f);
  return formatDateRange(start, addDays(end, -1), f);
}

/** EventCalendar's options for the Scheduler. */
export function calendarOptions(setup: CalendarSetup, hooks: CalendarHooks): Calendar.Options {
  const clicks = new DoubleClickDetector(DOUBLE_CLICK_MS);
  const clock = setup.clock ?? Date.now;
  const format = setup.format ?? activeFormat();
  return {
    view: setup.view,
    ...(setup.date ? { date: setup.date } : {}),
    locale: format.locale,
    timeZone: calendarOffsetNow(setup.zone, setup.now),
    headerToolbar: { start: '', center: '', end: '' },
    height: '100%',
    firstDay: 1,
    slotMinTime: '07:00',
    slotMaxTime: '20:00',
    // Appointments outside 07:00–20:00 widen the grid instead of disappearing.
    flexibleSlotTimeLimits: true,
    scrollTime: setup.scrollTime ?? DEFAULT_SCROLL_TIME,
    slotDuration: `00:${SLOT_MINUTES}`,
    // 32px a half hour: a 15-minute appointment is 16px high, enough for one line of title.
    slotHeight: 32,
    allDaySlot: true,
    allDayContent: 'All day',
    nowIndicator: true,
    selectable: true,
    editable: true,
    // Functions, so that times read as everywhere else (lib/format), 12-hour ones with AM/PM at
    // both ends: a Week card that shows only its start still says which.
    eventTimeFormat: (start: Date, end: Date | null) => formatTimeRange(start, end, format),
    slotLabelFormat: (time: Date) => formatTime(time, format),
    dayHeaderFormat: { weekday: 'short', day: 'numeric' },
    views: {
      resourceTimeGridDay: { dayHeaderFormat: { weekday: 'long', day: 'numeric', month: 'long' } },
      dayGridMonth: { dayMaxEvents: true, dayHeaderFormat: { weekday: 'short' } },
    },
    resources: setup.resources,
    // The cards of every shown resource are loaded (search, double bookings); those of the page's.
    filterEventsWithResources: true,
    eventSources: [{ events: hooks.events }, ...(hooks.nonWorking ? [{ events: hooks.nonWorking }] : [])],
    lazyFetching: false,
    loading: hooks.loading,
    datesSet: (info: Calendar.DatesSetInfo) =>
      hooks.datesShown({
        range: { start: info.startStr, end: info.endStr },
        date: datePart(wallTimeOfLocalDate(info.view.currentStart)),
        title: viewTitle(
          info.view.type,
          datePart(wallTimeOfLocalDate(info.view.currentStart)),
          datePart(wallTimeOfLocalDate(info.view.currentEnd)),
          format,
        ),
        view: info.view.type,
      }),
    // The shading of non-working time is no card: nothing to draw in it, open or focus.
    eventContent: (info: Calendar.EventContentInfo) => (isNonWorking(info.event) ? '' : hooks.content(info)),
    eventDidMount: (info: Calendar.EventDidMountInfo) => {
      if (!isNonWorking(info.event)) hooks.drawn(info);
    },
    eventClick: (info: Calendar.EventClickInfo) => {
      if (!isNonWorking(info.event)) hooks.open(String(info.event.id));
    },
    dateClick: (info: Calendar.DateClickInfo) => {
      const key = `${info.dateStr}|${info.resource?.id ?? ''}|${info.allDay}`;
      if (clicks.click(key, clock())) hooks.create(slotFromClick(info.dateStr, info.allDay, info.resource?.id, SLOT_MINUTES));
    },
    select: (info: Calendar.SelectInfo) =>
      hooks.create(slotFromSelection(info.startStr, info.endStr, info.allDay, info.resource?.id)),
    eventDrop: (info: Calendar.EventDropInfo) => hooks.moved(info.event, info.revert, info.newResource),
    eventResize: (info: Calendar.EventResizeInfo) => hooks.moved(info.event, info.revert),
  };
}
