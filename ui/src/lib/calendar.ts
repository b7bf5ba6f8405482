// Translation between the backend's records and EventCalendar's inputs and callbacks.
// EventCalendar runs on floating wall-clock times: we hand it each appointment as the wall time
// it shows in the planner's zone, and read the planner's selections back in that zone.
import type { Calendar } from '@event-calendar/core';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { accountColour, cardOf, type Card } from './cards';
import type { AccountId } from '../bindings/AccountId';
import {
  addDays,
  addMinutesToWall,
  datePart,
  formatOffset,
  instantOfWallTime,
  normaliseWall,
  offsetMinutesAt,
  toRfc3339Utc,
  wallTimeAt,
  type WallTime,
} from './time';

export const FALLBACK_COLOUR = '#5b6b7f';

/** Resources for the Scheduler: the planner's own first, the rest by name. */
export function orderResources(resources: readonly Resource[], mine: ResourceId | null): Resource[] {
  return [...resources].sort((a, b) => {
    if (a.id === mine) return -1;
    if (b.id === mine) return 1;
    return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id - b.id;
  });
}

/** Readable text colour (near-black or white) on a `#rrggbb` background. */
export function textColourOn(background: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(background.trim());
  if (!m) return '#ffffff';
  const n = parseInt(m[1], 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  // Contrast against white vs. against #1b1f24 (luminance ≈ 0.013).
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / 0.063;
  return onWhite >= onDark ? '#ffffff' : '#1b1f24';
}

export function resourceColour(resource: Resource | undefined): string {
  return resource && /^#[0-9a-f]{6}$/i.test(resource.colour) ? resource.colour : FALLBACK_COLOUR;
}

export function toCalendarResource(resource: Resource): Calendar.ResourceInput {
  const colour = resourceColour(resource);
  return {
    id: String(resource.id),
    title: resource.name,
    eventBackgroundColor: colour,
    eventTextColor: textColourOn(colour),
    extendedProps: { email: resource.email, kind: resource.kind },
  };
}

/** What every event carries in `extendedProps`. */
export interface EventProps extends Record<string, unknown> {
  appointmentId: string;
  card: Card;
  /** The resource's name, for the card's tooltip and label. */
  resource: string | null;
  /** Too short for two lines (`isShort`): the Week view draws it as one line. */
  short: boolean;
}

/** Views the Scheduler offers; the first readable with many resources is the default. */
export const VIEWS = ['resourceTimeGridDay', 'resourceTimeGridWeek', 'resourceTimelineWeek', 'dayGridMonth'] as const;
export type ViewId = (typeof VIEWS)[number];
export const DEFAULT_VIEW: ViewId = 'resourceTimeGridDay';
/** Where the view chosen last is remembered (the view preferences, lib/prefs). */
export const VIEW_KEY = 'quick3.scheduler.view';

/** The view remembered from last time, or the default when nothing (or nonsense) was stored. */
export function rememberedView(stored: string | null | undefined): ViewId {
  return (VIEWS as readonly string[]).includes(stored ?? '') ? (stored as ViewId) : DEFAULT_VIEW;
}

/** Where the date shown last is remembered (the view preferences), with the day it was left on. */
export const DATE_KEY = 'quick3.scheduler.date';

/**
 * The date to show first: the one the planner left today (the window closed to the tray and
 * opened again), else today; a date left on another day, or nonsense, gives today.
 */
export function rememberedDate(stored: string | null | undefined, today: string): string {
  try {
    const { date, on } = JSON.parse(stored ?? '') as { date?: unknown; on?: unknown };
    if (on === today && typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  } catch {
    // nothing (or nonsense) stored
  }
  return today;
}

/** What `rememberedDate` reads back: the date shown and the day it was shown on. */
export function dateToRemember(date: string, today: string): string {
  return JSON.stringify({ date, on: today });
}

/** What a card needs besides its record: the planner's resource, account e-mails, conflicts. */
export interface CardContext {
  mine: ResourceId | null;
  accounts: ReadonlyMap<AccountId, string>;
  doubleBooked: ReadonlySet<string>;
}
const NO_CARD_CONTEXT: CardContext = { mine: null, accounts: new Map(), doubleBooked: new Set() };

/**
 * One appointment as an EventCalendar event. Timed ones become the wall time they show in
 * `zone`; all-day ones keep their dates (EventCalendar also reads an all-day end as exclusive).
 */
export function toCalendarEvent(
  record: AppointmentCard,
  resources: ReadonlyMap<ResourceId, Resource>,
  zone: string,
  ctx: CardContext = NO_CARD_CONTEXT,
): Calendar.EventInput {
  const colour = cardColour(record, resources);
  const card = cardOf(record, ctx);
  const start = record.all_day ? datePart(record.start) : wallTimeAt(new Date(record.start), zone);
  const end = record.all_day ? datePart(record.end) : wallTimeAt(new Date(record.end), zone);
  const classNames = cardClasses(record, card);
  const props: EventProps = {
    appointmentId: record.id,
    card,
    resource: resources.get(record.resource_id)?.name ?? null,
    short: isShort(record),
  };
  return {
    id: record.id,
    resourceIds: [String(record.resource_id)],
    allDay: record.all_day,
    start,
    end,
    title: card.title,
    // Microsoft 365 refuses changes to pulled appointments: no dragging or resizing them.
    // EventCalendar's eventStartEditable and eventDurationEditable (true by default) outrank an
    // event's `editable`, so the event says no to both itself.
    editable: card.readOnly ? false : undefined,
    startEditable: card.readOnly ? false : undefined,
    durationEditable: card.readOnly ? false : undefined,
    backgroundColor: colour,
    textColor: textColourOn(colour),
    classNames,
    extendedProps: props,
  };
}

/** A card's colour: pulled appointments take their account's; Quick3's keep their resource's. */
export function cardColour(record: AppointmentCard, resources: ReadonlyMap<ResourceId, Resource>): string {
  return record.origin.kind === 'microsoft365'
    ? accountColour(record.origin.account_id)
    : resourceColour(resources.get(record.resource_id));
}

/** The classes that style a card: show-as, short, upload, private, origin, read-only, double booked. */
export function cardClasses(record: AppointmentCard, card: Card): string[] {
  const classNames = [`q3-show-${record.show_as.replace(/_/g, '-')}`];
  if (isShort(record)) classNames.push('q3-short');
  if (card.upload) classNames.push(`q3-uploading-${card.upload.kind}`);
  if (record.sensitivity !== 'normal') classNames.push('q3-private');
  classNames.push(`q3-origin-${card.badge.kind}`);
  if (card.readOnly) classNames.push('q3-read-only');
  if (card.doubleBooked) classNames.push('q3-double-booked');
  return classNames;
}

/** Longest appointment (minutes) that gets the one-line card: its time grid box is too low for two. */
export const SHORT_MINUTES = 20;

/** Timed appointments of at most SHORT_MINUTES: the card shows title and time on one line. */
export function isShort(record: AppointmentCard): boolean {
  if (record.all_day) return false;
  return new Date(record.end).getTime() - new Date(record.start).getTime() <= SHORT_MINUTES * 60000;
}

/**
 * The query for a visible range EventCalendar asks for (wall times in `zone`, end exclusive):
 * RFC 3339 instants for `list_appointments`.
 */
export function rangeQuery(startWall: string, endWall: string, zone: string): { from: string; to: string } {
  return {
    from: toRfc3339Utc(instantOfWallTime(startWall, zone)),
    to: toRfc3339Utc(instantOfWallTime(endWall, zone)),
  };
}

/**
 * EventCalendar's `timeZone` option takes a fixed offset; giving it the planner zone's offset
 * *now* puts "today" and the now-line in the planner's zone. Events stay floating wall times,
 * so days on the far side of a DST change still show correctly.
 */
export function calendarOffsetNow(zone: string, now: Date): string {
  const minutes = offsetMinutesAt(now, zone);
  return minutes === 0 ? 'UTC' : formatOffset(minutes);
}

/** A slot the planner picked on the calendar, as wall times in the planner's zone. */
export interface PickedSlot {
  resourceId: ResourceId | null;
  allDay: boolean;
  /** Wall time (timed) or a date at midnight (all-day). */
  start: WallTime;
  /** Exclusive end: wall time, or the day after the last day at midnight. */
  end: WallTime;
}

/** A drag-selection on the calendar (EventCalendar's `select`). */
export function slotFromSelection(
  startStr: string,
  endStr: string,
  allDay: boolean,
  resourceId: string | undefined,
): PickedSlot {
  return {
    resourceId: parseResourceId(resourceId),
    allDay,
    start: normaliseWall(startStr),
    end: normaliseWall(endStr),
  };
}

/** A double-click on one slot (EventCalendar's `dateClick`): one slot long, or one day. */
export function slotFromClick(
  dateStr: string,
  allDay: boolean,
  resourceId: string | undefined,
  slotMinutes: number,
): PickedSlot {
  const start = normaliseWall(dateStr);
  const end = allDay
    ? normaliseWall(addDays(datePart(start), 1))
    : addMinutesToWall(start, slotMinutes);
  return { resourceId: parseResourceId(resourceId), allDay, start: allDay ? normaliseWall(datePart(start)) : start, end };
}

/** The next full hour after `now` in `zone`, one hour long (the "New appointment" button). */
export function nextFullHourSlot(now: Date, zone: string, resourceId: ResourceId | null): PickedSlot {
  const wall = wallTimeAt(now, zone);
  const hourStart = normaliseWall(wall.slice(0, 13) + ':00');
  const start = addMinutesToWall(hourStart, 60);
  const end = addMinutesToWall(start, 60);
  return { resourceId, allDay: false, start, end };
}

export function parseResourceId(id: string | number | undefined | null): ResourceId | null {
  if (id === undefined || id === null || id === '') return null;
  const n = Number(id);
  return Number.isInteger(n) ? n : null;
}

/** Detects a second click on the same slot within `ms` (EventCalendar has no dblclick callback). */
export class DoubleClickDetector {
  private last: { key: string; at: number } | null = null;
  constructor(private readonly ms = 400) {}

  /** Records a click; true when it completes a double click on the same key. */
  click(key: string, at: number): boolean {
    const hit = this.last !== null && this.last.key === key && at - this.last.at <= this.ms;
    this.last = hit ? null : { key, at };
    return hit;
  }
}

/**
 * Where to take the Scheduler so that a just-saved appointment is on screen: the date to go to
 * when it starts outside the visible range, and the time to scroll to (an hour before its start,
 * `HH:MM`) for timed ones.
 */
export function revealTarget(
  record: AppointmentCard,
  zone: string,
  visible: { start: string; end: string } | null,
): { gotoDate: string | null; scrollTime: string | null } {
  const start = record.all_day ? normaliseWall(datePart(record.start)) : wallTimeAt(new Date(record.start), zone);
  const inView = visible !== null && start >= normaliseWall(visible.start) && start < normaliseWall(visible.end);
  let scrollTime: string | null = null;
  if (!record.all_day) {
    const hour = Math.max(0, Number(start.slice(11, 13)) - 1);
    scrollTime = `${String(hour).padStart(2, '0')}:00`;
  }
  return { gotoDate: inView ? null : datePart(start), scrollTime };
}
