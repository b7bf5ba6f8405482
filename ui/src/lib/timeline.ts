// The resource timeline's geometry: a week with resources as rows, laid out without measuring the
// DOM. Every card has one fixed height; overlapping appointments of a resource are stacked into
// lanes; a card's place follows from its wall times alone. Rows are virtualised: only those in view
// (plus a margin) are drawn, and the body keeps the height of all of them. Pure, so the component
// only draws what this returns and turns pointer positions into times with it.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { cardClasses, cardColour, textColourOn, type CardContext } from './calendar';
import { cardOf, type Card } from './cards';
import { activeFormat, formatDateRange, formatDayShort, formatTimeRange, type Format } from './format';
import { addDays, datePart, normaliseWall, wallTimeAt, type DateText, type WallTime } from './time';

/** Pixels per hour (as EventCalendar's timeline week had it). */
export const HOUR_WIDTH = 56;
/** A card's height: a line of title and a line of time. */
export const CARD_HEIGHT = 36;
/** Vertical distance between two lanes (card plus gap). */
export const LANE_HEIGHT = 40;
/** Space above the first and below the last lane of a row. */
export const ROW_PADDING = 4;
/** Minutes a dragged card moves or stretches by. */
export const SNAP_MINUTES = 15;
/** Minutes of one slot: a selection snaps to slots, a double-click creates one. */
export const SLOT_MINUTES = 30;
/** The narrowest a card is drawn, so that a very short appointment can still be hit. */
export const MIN_CARD_WIDTH = 6;
/** The hours of each day shown when no appointment lies outside them. */
export const DEFAULT_HOURS = { first: 7, last: 20 } as const;

const MINUTES_PER_DAY = 1440;

/** What the timeline needs of an appointment: its row and its wall times in the display zone. */
export interface TimelineItem {
  id: string;
  resourceId: number;
  allDay: boolean;
  /** Wall time of the start (timed) or the first day at midnight (all-day). */
  start: WallTime;
  /** Wall time of the end, or the day after the last day at midnight (exclusive). */
  end: WallTime;
}

/** A card moved or stretched on the timeline: where it should now be. */
export interface TimelineChange {
  resourceId: number;
  allDay: boolean;
  start: WallTime;
  end: WallTime;
}

/** The week's columns: which days, which hours of each day, and their widths. */
export interface TimelineGrid {
  days: DateText[];
  /** First hour shown of each day (0–23). */
  firstHour: number;
  /** Hour after the last one shown (1–24). */
  lastHour: number;
  hourWidth: number;
  dayWidth: number;
  width: number;
}

/** Monday (or `firstDay`, 0 = Sunday) of the week holding `date`. */
export function weekStart(date: DateText, firstDay = 1): DateText {
  const [y, m, d] = date.split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(date.slice(0, 10), -((weekday - firstDay + 7) % 7));
}

/** `count` consecutive days from `start`. */
export function daysFrom(start: DateText, count = 7): DateText[] {
  return Array.from({ length: count }, (_, i) => addDays(start, i));
}

/** Minutes after midnight of a wall time (`HH:MM` of `YYYY-MM-DDTHH:MM:SS`). */
function minuteOfDay(wall: WallTime): number {
  return Number(wall.slice(11, 13)) * 60 + Number(wall.slice(14, 16));
}

/** Whole days from `a` to `b` (dates or wall times; only the date counts). */
export function daysBetween(a: string, b: string): number {
  const utc = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((utc(b) - utc(a)) / 86400000);
}

/**
 * The grid of `days`: the default hours, widened (as EventCalendar's flexible slot limits do) so
 * that every timed appointment of those days shows whole. One crossing midnight shows all hours.
 */
export function gridFor(
  days: readonly DateText[],
  items: readonly TimelineItem[],
  hours: { first: number; last: number } = DEFAULT_HOURS,
  hourWidth = HOUR_WIDTH,
): TimelineGrid {
  let first = hours.first;
  let last = hours.last;
  const from = days[0];
  const to = addDays(days[days.length - 1], 1);
  for (const item of items) {
    if (item.allDay || item.end <= from || item.start >= to) continue;
    if (datePart(item.start) !== datePart(item.end) && !(item.end.endsWith('T00:00:00') && daysBetween(item.start, item.end) === 1)) {
      first = 0;
      last = 24;
      break;
    }
    first = Math.min(first, Math.floor(minuteOfDay(item.start) / 60));
    const end = item.end.endsWith('T00:00:00') ? MINUTES_PER_DAY : minuteOfDay(item.end);
    last = Math.max(last, Math.ceil(end / 60));
  }
  const dayWidth = (last - first) * hourWidth;
  return { days: [...days], firstHour: first, lastHour: last, hourWidth, dayWidth, width: dayWidth * days.length };
}

/** The same grid drawn with `hourWidth` pixels an hour (the timeline's zoom). */
export function withHourWidth(grid: TimelineGrid, hourWidth: number): TimelineGrid {
  const dayWidth = (grid.lastHour - grid.firstHour) * hourWidth;
  return { ...grid, hourWidth, dayWidth, width: dayWidth * grid.days.length };
}

/** Minutes from the first day's midnight to `wall` (may be negative or beyond the week). */
export function weekMinute(grid: TimelineGrid, wall: WallTime): number {
  return daysBetween(grid.days[0], wall) * MINUTES_PER_DAY + minuteOfDay(normaliseWall(wall));
}

/** The wall time `minute` minutes after the first day's midnight. */
export function wallAtWeekMinute(grid: TimelineGrid, minute: number): WallTime {
  const day = Math.floor(minute / MINUTES_PER_DAY);
  const rest = minute - day * MINUTES_PER_DAY;
  const hh = String(Math.floor(rest / 60)).padStart(2, '0');
  const mm = String(rest % 60).padStart(2, '0');
  return `${addDays(grid.days[0], day)}T${hh}:${mm}:00`;
}

/** The x (pixels from the grid's left edge) of a week minute; hidden hours fold to a day's edge. */
export function xOfWeekMinute(grid: TimelineGrid, minute: number): number {
  if (minute <= 0) return 0;
  const day = Math.floor(minute / MINUTES_PER_DAY);
  if (day >= grid.days.length) return grid.width;
  const within = minute - day * MINUTES_PER_DAY;
  const shown = Math.min(Math.max(within, grid.firstHour * 60), grid.lastHour * 60) - grid.firstHour * 60;
  return day * grid.dayWidth + (shown / 60) * grid.hourWidth;
}

export function xOf(grid: TimelineGrid, wall: WallTime): number {
  return xOfWeekMinute(grid, weekMinute(grid, wall));
}

/** The week minute at pixel `x` of the grid (clamped to the grid), not snapped. */
export function weekMinuteAt(grid: TimelineGrid, x: number): number {
  const clamped = Math.min(Math.max(x, 0), grid.width - 0.001);
  const day = Math.min(Math.floor(clamped / grid.dayWidth), grid.days.length - 1);
  const within = clamped - day * grid.dayWidth;
  return day * MINUTES_PER_DAY + grid.firstHour * 60 + (within / grid.hourWidth) * 60;
}

/** The day (index into the grid's days) at pixel `x`, clamped. */
export function dayIndexAt(grid: TimelineGrid, x: number): number {
  return Math.min(Math.max(Math.floor(x / grid.dayWidth), 0), grid.days.length - 1);
}

export const snapDown = (minute: number, step: number) => Math.floor(minute / step) * step;
export const snapNearest = (minute: number, step: number) => Math.round(minute / step) * step;

/** A card's horizontal extent in the grid. */
export function extentOf(grid: TimelineGrid, item: TimelineItem): { x: number; width: number } {
  const x = xOf(grid, item.start);
  const right = xOf(grid, item.end);
  return { x, width: Math.max(right - x, MIN_CARD_WIDTH) };
}

/**
 * Lanes for cards given as horizontal extents: each card takes the first lane whose last card
 * ends at or before it starts (cards sorted by start, the longer first). Returns each card's lane,
 * in the order given, and how many lanes there are.
 */
export function assignLanes(extents: readonly { x: number; width: number }[]): { lanes: number[]; count: number } {
  const order = extents.map((_, i) => i).sort((a, b) => extents[a].x - extents[b].x || extents[b].width - extents[a].width);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(extents.length);
  for (const i of order) {
    const { x, width } = extents[i];
    let lane = laneEnds.findIndex((end) => end <= x + 0.01);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(x + width);
    } else laneEnds[lane] = x + width;
    lanes[i] = lane;
  }
  return { lanes, count: laneEnds.length };
}

/** The height of a row with `lanes` lanes (an empty row is as high as one with one lane). */
export function rowHeight(lanes: number): number {
  return 2 * ROW_PADDING + Math.max(lanes, 1) * LANE_HEIGHT - (LANE_HEIGHT - CARD_HEIGHT);
}

export interface PlacedCard<T extends TimelineItem = TimelineItem> {
  item: T;
  x: number;
  width: number;
  lane: number;
  /** Top of the card inside its row. */
  y: number;
}

export interface TimelineRow<T extends TimelineItem = TimelineItem> {
  resourceId: number;
  index: number;
  top: number;
  height: number;
  cards: PlacedCard<T>[];
}

export interface TimelineLayout<T extends TimelineItem = TimelineItem> {
  grid: TimelineGrid;
  rows: TimelineRow<T>[];
  /** The height of all rows together. */
  height: number;
  /** The row of each card, by id. */
  rowOf: Map<string, number>;
  /** How many appointments the layout holds (those of shown resources in the week). */
  count: number;
}

/**
 * Lays out a week: a row per resource in the order given, its cards in lanes. Items of other
 * resources, or wholly outside the week, are left out.
 */
export function layoutTimeline<T extends TimelineItem>(
  resourceIds: readonly number[],
  items: readonly T[],
  grid: TimelineGrid,
): TimelineLayout<T> {
  const from = `${grid.days[0]}T00:00:00`;
  const to = `${addDays(grid.days[grid.days.length - 1], 1)}T00:00:00`;
  const byResource = new Map<number, T[]>(resourceIds.map((id) => [id, []]));
  for (const item of items) {
    if (item.end <= from || item.start >= to) continue;
    byResource.get(item.resourceId)?.push(item);
  }
  const rows: TimelineRow<T>[] = [];
  const rowOf = new Map<string, number>();
  let top = 0;
  let count = 0;
  for (const [index, resourceId] of resourceIds.entries()) {
    const list = byResource.get(resourceId) ?? [];
    const extents = list.map((item) => extentOf(grid, item));
    const { lanes, count: laneCount } = assignLanes(extents);
    const cards = list.map((item, i) => ({
      item,
      x: extents[i].x,
      width: extents[i].width,
      lane: lanes[i],
      y: ROW_PADDING + lanes[i] * LANE_HEIGHT,
    }));
    cards.sort((a, b) => a.lane - b.lane || a.x - b.x);
    for (const card of cards) rowOf.set(card.item.id, index);
    count += cards.length;
    const height = rowHeight(laneCount);
    rows.push({ resourceId, index, top, height, cards });
    top += height;
  }
  return { grid, rows, height: top, rowOf, count };
}

/**
 * The rows to draw for a viewport showing `top` to `top + height` of the body, with `margin`
 * pixels more above and below: `[first, last)` indexes (binary search over the rows' tops).
 */
export function rowWindow(
  rows: readonly { top: number; height: number }[],
  top: number,
  height: number,
  margin: number,
): { first: number; last: number } {
  const from = top - margin;
  const to = top + height + margin;
  // First row whose bottom is below `from`.
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].top + rows[mid].height <= from) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  // First row whose top is at or below `to`.
  hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].top < to) lo = mid + 1;
    else hi = mid;
  }
  return { first, last: Math.max(first, lo) };
}

/** The row at `y` pixels into the body, or null outside every row. */
export function rowAt(rows: readonly { top: number; height: number }[], y: number): number | null {
  if (rows.length === 0 || y < 0) return null;
  const { first } = rowWindow(rows, y, 0, 0);
  return first < rows.length && rows[first].top <= y ? first : null;
}

/**
 * The time span selected by dragging over free time from `a` to `b` (x pixels, either order):
 * from the slot under the press to the end of the slot under the release, at least one slot.
 */
export function selectionSpan(grid: TimelineGrid, a: number, b: number): { start: WallTime; end: WallTime } {
  const lo = snapDown(weekMinuteAt(grid, Math.min(a, b)), SLOT_MINUTES);
  const hi = snapDown(weekMinuteAt(grid, Math.max(a, b)), SLOT_MINUTES) + SLOT_MINUTES;
  return { start: wallAtWeekMinute(grid, lo), end: wallAtWeekMinute(grid, Math.max(hi, lo + SLOT_MINUTES)) };
}

/** The slot under `x`, for a double-click on free time. */
export function slotAt(grid: TimelineGrid, x: number): { start: WallTime; end: WallTime } {
  const start = snapDown(weekMinuteAt(grid, x), SLOT_MINUTES);
  return { start: wallAtWeekMinute(grid, start), end: wallAtWeekMinute(grid, start + SLOT_MINUTES) };
}

/**
 * Where a card dragged from pointer x `fromX` to `toX` lands: timed cards move by the minutes
 * between the two points, their start snapped to SNAP_MINUTES, keeping their length; all-day
 * cards move by whole days. Null when it lands where it was.
 */
export function movedSpan(
  grid: TimelineGrid,
  item: TimelineItem,
  fromX: number,
  toX: number,
): { start: WallTime; end: WallTime } | null {
  if (item.allDay) {
    const days = dayIndexAt(grid, toX) - dayIndexAt(grid, fromX);
    if (days === 0) return null;
    return {
      start: `${addDays(datePart(item.start), days)}T00:00:00`,
      end: `${addDays(datePart(item.end), days)}T00:00:00`,
    };
  }
  const start = weekMinute(grid, item.start);
  const length = weekMinute(grid, item.end) - start;
  const delta = weekMinuteAt(grid, toX) - weekMinuteAt(grid, fromX);
  const moved = snapNearest(start + delta, SNAP_MINUTES);
  if (moved === start) return null;
  return { start: wallAtWeekMinute(grid, moved), end: wallAtWeekMinute(grid, moved + length) };
}

/**
 * The new end of a card whose right edge is dragged to pointer x `toX`: snapped to SNAP_MINUTES
 * (whole days for all-day cards), never before one step after the start. Null when unchanged.
 */
export function resizedEnd(grid: TimelineGrid, item: TimelineItem, toX: number): WallTime | null {
  if (item.allDay) {
    const lastDay = grid.days[dayIndexAt(grid, toX)];
    const end = `${addDays(lastDay, 1)}T00:00:00`;
    const earliest = `${addDays(datePart(item.start), 1)}T00:00:00`;
    const chosen = end < earliest ? earliest : end;
    return chosen === normaliseWall(item.end) ? null : chosen;
  }
  const start = weekMinute(grid, item.start);
  const end = Math.max(snapNearest(weekMinuteAt(grid, toX), SNAP_MINUTES), start + SNAP_MINUTES);
  return end === weekMinute(grid, item.end) ? null : wallAtWeekMinute(grid, end);
}

/** Pixels from an edge of the scroll area within which a drag scrolls it. */
export const EDGE_BAND = 48;
/** Pixels per second a drag scrolls at when the pointer is at (or beyond) an edge. */
export const EDGE_MAX_SPEED = 1200;

/**
 * How fast a drag scrolls along one axis with the pointer at `pointer`, for a view showing
 * `start` to `end` of that axis (screen pixels): negative towards `start`, positive towards
 * `end`, zero outside the bands along both edges. Inside a band the speed grows in proportion to
 * how close the pointer is to the edge, up to `max` at the edge and beyond it. A view too small
 * for two whole bands gets narrower ones (a quarter of it each).
 */
export function edgeSpeed(pointer: number, start: number, end: number, band = EDGE_BAND, max = EDGE_MAX_SPEED): number {
  const size = end - start;
  if (size <= 0) return 0;
  const width = Math.min(band, size / 4);
  const closeness = (depth: number) => Math.min(depth / width, 1);
  if (pointer < start + width) return -max * closeness(start + width - pointer);
  if (pointer > end - width) return max * closeness(pointer - (end - width));
  return 0;
}

/** The days' title in the window's format: "7–13 Dec 2026", "30 Nov – 6 Dec 2026" (lib/format). */
export function weekTitle(days: readonly DateText[], f: Format = activeFormat()): string {
  return formatDateRange(days[0], days[days.length - 1], f);
}

/** "Mon 7", as the day headers show a day. */
export function dayLabel(day: DateText, f: Format = activeFormat()): string {
  return formatDayShort(day, f);
}

/** What a card shows and allows, worked out when the card is first drawn. */
export interface CardLook {
  card: Card;
  colour: string;
  textColour: string;
  /** The card element's classes (show-as, origin, marks). */
  className: string;
  /** "09:00–10:30" (lib/format) for timed appointments, empty for all-day ones. */
  timeText: string;
  /** It may be moved and resized (as in the other views: unless read-only). */
  editable: boolean;
}

/**
 * An appointment as the timeline lays it out: its row and wall times at once, and what its card
 * shows (`look`) only when asked — for the cards drawn, not for all of a week's.
 */
export interface TimelineCard extends TimelineItem {
  record: AppointmentCard;
  look: () => CardLook;
}

/** One record as a timeline card, its times as wall times in `zone`. */
export function toTimelineCard(
  record: AppointmentCard,
  resources: ReadonlyMap<ResourceId, Resource>,
  zone: string,
  ctx: CardContext,
): TimelineCard {
  const start = record.all_day ? `${record.start.slice(0, 10)}T00:00:00` : wallTimeAt(new Date(record.start), zone);
  const end = record.all_day ? `${record.end.slice(0, 10)}T00:00:00` : wallTimeAt(new Date(record.end), zone);
  let look: CardLook | undefined;
  return {
    id: record.id,
    resourceId: record.resource_id,
    allDay: record.all_day,
    start,
    end,
    record,
    look: () => {
      if (!look) {
        const card = cardOf(record, ctx);
        const colour = cardColour(record, resources);
        look = {
          card,
          colour,
          textColour: textColourOn(colour),
          className: cardClasses(record, card).join(' '),
          timeText: record.all_day ? '' : formatTimeRange(start.slice(11, 16), end.slice(11, 16)),
          editable: !card.readOnly,
        };
      }
      return look;
    },
  };
}

/** The card's tooltip: its title, where its upload stands, why it is read-only, a double booking. */
export function cardTooltip(card: Card): string {
  return [card.title, card.upload?.text, card.readOnly, card.doubleBooked ? 'Double booked' : null].filter(Boolean).join('\n');
}
