import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import { testRecord } from './test-records';
import {
  assignLanes,
  CARD_HEIGHT,
  dayIndexAt,
  daysFrom,
  DEFAULT_HOURS,
  EDGE_BAND,
  EDGE_MAX_SPEED,
  edgeSpeed,
  gridFor,
  HOUR_WIDTH,
  LANE_HEIGHT,
  layoutTimeline,
  MIN_CARD_WIDTH,
  movedSpan,
  resizedEnd,
  ROW_PADDING,
  rowAt,
  rowHeight,
  rowWindow,
  selectionSpan,
  slotAt,
  toTimelineCard,
  weekMinuteAt,
  weekStart,
  weekTitle,
  xOf,
  type TimelineItem,
} from './timeline';

const week = daysFrom('2026-12-07'); // Monday 7 to Sunday 13 December 2026
const grid = gridFor(week, []); // 07:00–20:00 each day, 56 px an hour

let n = 0;
function item(resourceId: number, start: string, end: string, allDay = false): TimelineItem {
  return { id: `i${++n}`, resourceId, allDay, start: `${start}:00`.slice(0, 19), end: `${end}:00`.slice(0, 19) };
}

describe('weeks and titles', () => {
  it('finds the Monday of a week', () => {
    expect(weekStart('2026-12-07')).toBe('2026-12-07');
    expect(weekStart('2026-12-13')).toBe('2026-12-07');
    expect(weekStart('2026-12-14')).toBe('2026-12-14');
    expect(weekStart('2027-01-01')).toBe('2026-12-28');
  });

  it('titles a week within a month, across months and across years', () => {
    // Intl's ranges put thin spaces around the dash (lib/format): compared with plain ones here.
    const plain = (text: string) => text.replace(/\u2009/g, ' ');
    expect(plain(weekTitle(week))).toBe('7 – 13 Dec 2026');
    expect(plain(weekTitle(daysFrom('2026-11-30')))).toBe('30 Nov – 6 Dec 2026');
    expect(plain(weekTitle(daysFrom('2026-12-28')))).toBe('28 Dec 2026 – 3 Jan 2027');
    expect(weekTitle(week, { locale: 'nb-NO', hour12: false }), 'in the window’s language').toMatch(/^7\.\s?–\s?13\. des\. 2026$/);
  });
});

describe('the grid', () => {
  it('shows 07:00–20:00 of every day by default', () => {
    expect(grid.firstHour).toBe(DEFAULT_HOURS.first);
    expect(grid.lastHour).toBe(DEFAULT_HOURS.last);
    expect(grid.dayWidth).toBe(13 * HOUR_WIDTH);
    expect(grid.width).toBe(7 * 13 * HOUR_WIDTH);
  });

  it('widens the hours to hold every timed appointment of the week, and ignores other weeks', () => {
    const g = gridFor(week, [
      item(1, '2026-12-08T06:30', '2026-12-08T07:30'),
      item(1, '2026-12-09T19:00', '2026-12-09T21:15'),
      item(1, '2026-12-20T02:00', '2026-12-20T03:00'),
    ]);
    expect([g.firstHour, g.lastHour]).toEqual([6, 22]);
  });

  it('shows whole days when an appointment crosses midnight; one ending at midnight reaches 24:00', () => {
    expect(gridFor(week, [item(1, '2026-12-08T22:00', '2026-12-09T02:00')]).firstHour).toBe(0);
    const g = gridFor(week, [item(1, '2026-12-08T22:00', '2026-12-09T00:00')]);
    expect([g.firstHour, g.lastHour]).toEqual([7, 24]);
  });

  it('places times by the clock: days side by side, hidden hours folded to the day edges', () => {
    expect(xOf(grid, '2026-12-07T07:00:00')).toBe(0);
    expect(xOf(grid, '2026-12-07T08:30:00')).toBe(1.5 * HOUR_WIDTH);
    expect(xOf(grid, '2026-12-08T07:00:00')).toBe(grid.dayWidth);
    expect(xOf(grid, '2026-12-07T05:00:00')).toBe(0);
    expect(xOf(grid, '2026-12-07T23:00:00')).toBe(grid.dayWidth);
    expect(xOf(grid, '2026-12-01T12:00:00')).toBe(0);
    expect(xOf(grid, '2026-12-20T12:00:00')).toBe(grid.width);
  });

  it('reads a pointer position back as a time and a day', () => {
    expect(weekMinuteAt(grid, 0)).toBe(7 * 60);
    expect(weekMinuteAt(grid, grid.dayWidth + 2 * HOUR_WIDTH)).toBe(1440 + 9 * 60);
    expect(dayIndexAt(grid, grid.dayWidth * 3.5)).toBe(3);
    expect(dayIndexAt(grid, -20)).toBe(0);
    expect(dayIndexAt(grid, grid.width + 20)).toBe(6);
  });
});

describe('lanes', () => {
  it('stacks overlapping cards and reuses a lane once it is free', () => {
    const { lanes, count } = assignLanes([
      { x: 0, width: 100 },
      { x: 50, width: 100 },
      { x: 100, width: 20 }, // starts where the first ends: back in lane 0
      { x: 60, width: 10 },
    ]);
    expect(lanes).toEqual([0, 1, 0, 2]);
    expect(count).toBe(3);
  });

  it('puts the longer of two cards starting together in the upper lane', () => {
    expect(assignLanes([{ x: 10, width: 20 }, { x: 10, width: 80 }]).lanes).toEqual([1, 0]);
  });

  it('has no lanes for no cards', () => {
    expect(assignLanes([])).toEqual({ lanes: [], count: 0 });
  });
});

describe('layout', () => {
  const items = [
    item(1, '2026-12-07T09:00', '2026-12-07T10:00'),
    item(1, '2026-12-07T09:30', '2026-12-07T11:00'),
    item(1, '2026-12-08T09:00', '2026-12-08T09:15'),
    item(2, '2026-12-09', '2026-12-11', true),
    item(3, '2026-12-09T09:00', '2026-12-09T10:00'), // a resource not shown
    item(2, '2026-12-14T09:00', '2026-12-14T10:00'), // next week
  ];
  const layout = layoutTimeline([1, 2], items, grid);

  it('has a row per resource in order, as high as its lanes, one under the other', () => {
    expect(layout.rows.map((r) => r.resourceId)).toEqual([1, 2]);
    expect(layout.rows[0].height).toBe(rowHeight(2));
    expect(layout.rows[1].height).toBe(rowHeight(1));
    expect(layout.rows[1].top).toBe(layout.rows[0].height);
    expect(layout.height).toBe(rowHeight(2) + rowHeight(1));
    expect(rowHeight(0)).toBe(rowHeight(1));
    expect(rowHeight(1)).toBe(2 * ROW_PADDING + CARD_HEIGHT);
  });

  it('holds only the shown resources’ appointments of the week', () => {
    expect(layout.count).toBe(4);
    expect(layout.rowOf.get(items[4].id)).toBeUndefined();
    expect(layout.rowOf.get(items[5].id)).toBeUndefined();
    expect(layout.rowOf.get(items[3].id)).toBe(1);
  });

  it('places cards by time and lane, a short one at least MIN_CARD_WIDTH wide', () => {
    const [a, c, b] = layout.rows[0].cards;
    expect(a).toMatchObject({ x: 2 * HOUR_WIDTH, width: HOUR_WIDTH, lane: 0, y: ROW_PADDING });
    expect(c).toMatchObject({ lane: 0, x: grid.dayWidth + 2 * HOUR_WIDTH, width: HOUR_WIDTH / 4 });
    expect(b).toMatchObject({ x: 2.5 * HOUR_WIDTH, width: 1.5 * HOUR_WIDTH, lane: 1, y: ROW_PADDING + LANE_HEIGHT });
    const tiny = layoutTimeline([1], [item(1, '2026-12-07T09:00', '2026-12-07T09:01')], grid).rows[0].cards[0];
    expect(tiny.width).toBe(MIN_CARD_WIDTH);
  });

  it('spans whole days for an all-day appointment', () => {
    const allDay = layout.rows[1].cards[0];
    expect(allDay.x).toBe(2 * grid.dayWidth);
    expect(allDay.width).toBe(2 * grid.dayWidth);
  });

  it('lays out 1,250 appointments of 100 resources with every card in a lane that overlaps no other', () => {
    const many: TimelineItem[] = [];
    for (let i = 0; i < 1250; i++) {
      const day = week[i % 5];
      const hour = 7 + ((i * 7) % 11);
      many.push(item(1 + (i % 100), `${day}T${String(hour).padStart(2, '0')}:00`, `${day}T${String(hour + 1 + (i % 3)).padStart(2, '0')}:30`));
    }
    const big = layoutTimeline(Array.from({ length: 100 }, (_, i) => i + 1), many, grid);
    expect(big.count).toBe(1250);
    for (const row of big.rows) {
      for (const a of row.cards) {
        for (const b of row.cards) {
          if (a === b || a.lane !== b.lane) continue;
          expect(a.x + a.width <= b.x + 0.01 || b.x + b.width <= a.x + 0.01).toBe(true);
        }
      }
    }
  });
});

describe('virtual rows', () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ top: i * 50, height: 50 }));

  it('draws the rows in view and a margin, not the others', () => {
    expect(rowWindow(rows, 0, 500, 0)).toEqual({ first: 0, last: 10 });
    expect(rowWindow(rows, 1000, 500, 100)).toEqual({ first: 18, last: 32 });
    expect(rowWindow(rows, 4900, 500, 100)).toEqual({ first: 96, last: 100 });
  });

  it('draws a row partly in view', () => {
    expect(rowWindow(rows, 1025, 50, 0)).toEqual({ first: 20, last: 22 });
  });

  it('copes with rows of different heights and with none', () => {
    const mixed = [{ top: 0, height: 44 }, { top: 44, height: 204 }, { top: 248, height: 44 }];
    expect(rowWindow(mixed, 100, 10, 0)).toEqual({ first: 1, last: 2 });
    expect(rowWindow([], 0, 500, 100)).toEqual({ first: 0, last: 0 });
  });

  it('finds the row under the pointer', () => {
    expect(rowAt(rows, 0)).toBe(0);
    expect(rowAt(rows, 149)).toBe(2);
    expect(rowAt(rows, 150)).toBe(3);
    expect(rowAt(rows, 5000)).toBeNull();
    expect(rowAt(rows, -1)).toBeNull();
  });
});

describe('pointer gestures', () => {
  const at = (day: number, hhmm: string) =>
    day * grid.dayWidth + ((Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) - 7 * 60) / 60) * HOUR_WIDTH;

  it('selects whole slots from the press to the release, either way', () => {
    expect(selectionSpan(grid, at(1, '16:10'), at(1, '16:50'))).toEqual({ start: '2026-12-08T16:00:00', end: '2026-12-08T17:00:00' });
    expect(selectionSpan(grid, at(1, '17:59'), at(1, '16:00'))).toEqual({ start: '2026-12-08T16:00:00', end: '2026-12-08T18:00:00' });
    expect(slotAt(grid, at(2, '10:40'))).toEqual({ start: '2026-12-09T10:30:00', end: '2026-12-09T11:00:00' });
  });

  it('moves a timed card by the time between press and release, snapped, keeping its length', () => {
    const card = item(1, '2026-12-07T09:00', '2026-12-07T10:30');
    expect(movedSpan(grid, card, at(0, '09:20'), at(0, '10:25'))).toEqual({ start: '2026-12-07T10:00:00', end: '2026-12-07T11:30:00' });
    // To the next day: across the hidden night hours.
    expect(movedSpan(grid, card, at(0, '09:00'), at(1, '08:00'))).toEqual({ start: '2026-12-08T08:00:00', end: '2026-12-08T09:30:00' });
    expect(movedSpan(grid, card, at(0, '09:00'), at(0, '09:05'))).toBeNull();
  });

  it('moves an all-day card by whole days', () => {
    const card = item(1, '2026-12-07', '2026-12-09', true);
    card.start = '2026-12-07T00:00:00';
    card.end = '2026-12-09T00:00:00';
    expect(movedSpan(grid, card, at(0, '12:00'), at(2, '08:00'))).toEqual({ start: '2026-12-09T00:00:00', end: '2026-12-11T00:00:00' });
    expect(movedSpan(grid, card, at(0, '12:00'), at(0, '19:00'))).toBeNull();
  });

  it('stretches a card to the snapped time under the pointer, never shorter than one step', () => {
    const card = item(1, '2026-12-07T09:00', '2026-12-07T10:00');
    expect(resizedEnd(grid, card, at(0, '11:05'))).toBe('2026-12-07T11:00:00');
    expect(resizedEnd(grid, card, at(0, '08:00'))).toBe('2026-12-07T09:15:00');
    expect(resizedEnd(grid, card, at(0, '10:04'))).toBeNull();
    const allDay = { ...item(1, '2026-12-07', '2026-12-08', true), start: '2026-12-07T00:00:00', end: '2026-12-08T00:00:00' };
    expect(resizedEnd(grid, allDay, at(2, '12:00'))).toBe('2026-12-10T00:00:00');
  });
});

describe('timeline cards', () => {
  const ada: Resource = { id: 1, name: 'Ada', email: null, kind: 'person', colour: '#2459c6', hours: null, archived: false };
  const resources = new Map([[1, ada]]);
  const ctx = { mine: 1, accounts: new Map([[4, 'megan@contoso.example']]), doubleBooked: new Set<string>() };

  it('takes wall times in the display zone and says what the card shows', () => {
    const card = toTimelineCard(testRecord({ start: '2026-12-08T09:00:00+01:00', end: '2026-12-08T10:30:00+01:00' }), resources, 'Europe/London', ctx);
    expect(card).toMatchObject({ start: '2026-12-08T08:00:00', end: '2026-12-08T09:30:00', allDay: false, resourceId: 1 });
    const look = card.look();
    expect(look).toMatchObject({ timeText: '08:00–09:30', colour: '#2459c6', textColour: '#ffffff', editable: true });
    expect(look.className).toContain('q3-show-busy');
    expect(look.className).toContain('q3-origin-quick3');
    expect(card.look()).toBe(look);
  });

  it('keeps an all-day appointment’s dates; a pulled read-only one cannot be moved', () => {
    const pulled = toTimelineCard(
      testRecord({ all_day: true, start: '2026-12-08', end: '2026-12-09', time_zone: null, origin: { kind: 'microsoft365', account_id: 4, calendar_id: 'c', remote_id: 'r' }, read_only: 'Change it in Outlook.' }),
      resources,
      'Europe/Berlin',
      ctx,
    );
    expect(pulled).toMatchObject({ allDay: true, start: '2026-12-08T00:00:00', end: '2026-12-09T00:00:00' });
    expect(pulled.look()).toMatchObject({ timeText: '', editable: false });
    expect(pulled.look().className).toContain('q3-read-only');
    expect(pulled.look().card.badge.letter).toBe('M');
  });
});

describe('scrolling at the edge during a drag', () => {
  // A view from 100 to 700 px: bands of 48 px along each edge.
  const speed = (pointer: number) => edgeSpeed(pointer, 100, 700);

  it('does not scroll with the pointer away from the edges', () => {
    expect(speed(400)).toBe(0);
    expect(speed(100 + EDGE_BAND)).toBe(0);
    expect(speed(700 - EDGE_BAND)).toBe(0);
  });

  it('scrolls towards the edge the pointer is near, faster the closer it is', () => {
    expect(speed(700 - EDGE_BAND / 2)).toBe(EDGE_MAX_SPEED / 2);
    expect(speed(700 - EDGE_BAND / 4)).toBe((EDGE_MAX_SPEED * 3) / 4);
    expect(speed(100 + EDGE_BAND / 2)).toBe(-EDGE_MAX_SPEED / 2);
    expect(speed(110)).toBeLessThan(speed(130));
    expect(speed(130)).toBeLessThan(0);
  });

  it('scrolls at full speed at the edge and beyond it, never faster', () => {
    expect(speed(700)).toBe(EDGE_MAX_SPEED);
    expect(speed(900)).toBe(EDGE_MAX_SPEED);
    expect(speed(100)).toBe(-EDGE_MAX_SPEED);
    expect(speed(-50)).toBe(-EDGE_MAX_SPEED);
  });

  it('narrows the bands of a small view so that its middle stays still', () => {
    // 80 px high: bands of 20 px.
    expect(edgeSpeed(40, 0, 80)).toBe(0);
    expect(edgeSpeed(10, 0, 80)).toBe(-EDGE_MAX_SPEED / 2);
    expect(edgeSpeed(75, 0, 80)).toBe((EDGE_MAX_SPEED * 3) / 4);
    expect(edgeSpeed(10, 50, 50)).toBe(0);
  });
});
