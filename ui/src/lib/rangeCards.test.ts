import { describe, expect, it } from 'vitest';
import type { Account } from '../bindings/Account';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import { RangeCards } from './rangeCards.svelte';
import { testRecord } from './test-records';
import { daysFrom } from './timeline';

const room = (id: number): Resource => ({
  id,
  name: `Room ${id}`,
  email: null,
  kind: 'room',
  colour: '#1f6fb2',
  hours: { start: '07:00', end: '16:00' },
  archived: false,
});

const MON = '2026-11-23';
const WEEK = daysFrom(MON, 7);

/** A deferred answer, settled by the test. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Range cards over a fake backend: `answer` gives each range asked for its cards (or throws);
 * resources 1 and 2 exist, `shown` says which are shown. Asked ranges and the screen's calls are
 * recorded; paint callbacks wait in `frames` until the test runs them.
 */
function fixture(answer: (from: string, to: string) => Promise<AppointmentCard[]> = async () => [], accounts: Promise<Account[]> = Promise.resolve([])) {
  const asked: string[] = [];
  const screenCalls: string[] = [];
  const frames: (() => void)[] = [];
  let shown = [room(1), room(2)];
  const cards = new RangeCards(
    {
      shown: () => shown,
      resourcesById: () => new Map([room(1), room(2)].map((r) => [r.id, r])),
      zone: () => 'Europe/Berlin',
      mine: () => 1,
      cards: (from, to) => {
        asked.push(`${from} ${to}`);
        return answer(from, to);
      },
      accounts: () => accounts,
      drawn: async () => {
        screenCalls.push('drawn');
      },
      afterPaint: (run) => frames.push(run),
      timelineDrawn: async () => {
        screenCalls.push('timelineDrawn');
      },
    },
    WEEK,
  );
  return { cards, asked, screenCalls, frames, hide: (id: number) => (shown = shown.filter((r) => r.id !== id)) };
}

const week = { startStr: `${MON}T00:00:00`, endStr: '2026-11-30T00:00:00' };

describe("EventCalendar's ranges", () => {
  it("keeps the shown resources' cards by id, with the range's double bookings", async () => {
    const a = testRecord({ id: 'a', resource_id: 1 });
    const b = testRecord({ id: 'b', resource_id: 1 });
    const hidden = testRecord({ id: 'h', resource_id: 2 });
    const { cards, asked, hide } = fixture(async () => [a, b, hidden]);
    hide(2);
    const events = await cards.calendarEvents(week);
    expect(asked, 'the wall-time range asked as instants of the planner zone').toEqual(['2026-11-22T23:00:00Z 2026-11-29T23:00:00Z']);
    expect(events.map((e) => e.id)).toEqual(['a', 'b']);
    expect([...cards.records.keys()], "a hidden resource's card is neither drawn nor searched").toEqual(['a', 'b']);
    expect(cards.loaded).toBe(1);
    expect(cards.doubleBookings, 'a and b overlap on one resource').toHaveLength(1);
  });

  it('shows a failed load and clears the message with the next one', async () => {
    let fail = true;
    const { cards } = fixture(async () => {
      if (fail) throw { code: 'Store', message: 'database is locked' };
      return [];
    });
    expect(await cards.calendarEvents(week)).toEqual([]);
    expect(cards.loadError).toBe('database is locked');
    fail = false;
    await cards.calendarEvents(week);
    expect(cards.loadError).toBeNull();
  });

  it('the first load waits for the accounts, so its cards carry their badges', async () => {
    const accounts = later<Account[]>();
    const { cards } = fixture(async () => [testRecord({ id: 'a' })], accounts.promise);
    let answered = false;
    const events = cards.calendarEvents(week).then((e) => ((answered = true), e));
    await new Promise((r) => setTimeout(r, 0));
    expect(answered, 'cards without the accounts would be drawn without badges').toBe(false);
    accounts.resolve([{ id: 7, email: 'megan@contoso.example' } as Account]);
    await events;
    expect(cards.accounts.get(7)).toBe('megan@contoso.example');
  });
});

describe("the timeline's span", () => {
  it('draws a week from the week loader, then asks for the weeks either side after paint', async () => {
    const { cards, asked, screenCalls, frames } = fixture(async () => [testRecord({ id: 'a' })]);
    await cards.loadTimeline(WEEK);
    expect(cards.timelineCards.map((c) => c.id)).toEqual(['a']);
    expect(cards.timelineShown).toEqual(WEEK);
    expect(screenCalls, 'drawn, then the card asked for is focused or revealed').toEqual(['drawn', 'drawn', 'timelineDrawn']);
    expect(asked).toHaveLength(1);
    frames.forEach((run) => run());
    expect(asked, 'the previous and next weeks are asked for ahead').toHaveLength(3);
    await cards.loadTimeline(daysFrom('2026-11-30', 7));
    expect(asked, 'the next week was kept: Next draws without asking').toHaveLength(3);
    expect(cards.loading(true)).toBe(false);
  });

  it('a month asks for its whole range once, and nothing ahead', async () => {
    const { cards, asked, frames } = fixture();
    await cards.loadTimeline(daysFrom('2026-11-01', 30));
    frames.forEach((run) => run());
    expect(asked).toEqual(['2026-10-31T23:00:00Z 2026-11-30T23:00:00Z']);
  });

  it('drops the answer of a load overtaken by a newer one', async () => {
    const slow = later<AppointmentCard[]>();
    let first = true;
    const { cards, screenCalls } = fixture(async () => {
      if (first) {
        first = false;
        return slow.promise;
      }
      return [testRecord({ id: 'new' })];
    });
    const older = cards.loadTimeline(WEEK);
    await cards.loadTimeline(daysFrom('2026-12-07', 7));
    slow.resolve([testRecord({ id: 'old' })]);
    await older;
    expect(cards.timelineCards.map((c) => c.id), "the older week's cards never replace the newer's").toEqual(['new']);
    expect(cards.timelineShown[0]).toBe('2026-12-07');
    expect(screenCalls.filter((c) => c === 'timelineDrawn'), 'the overtaken load focuses nothing').toHaveLength(1);
  });

  it('a failed week shows the message over an empty span of the days asked', async () => {
    const { cards } = fixture(async () => {
      throw { code: 'Store', message: 'disk I/O error' };
    });
    await cards.loadTimeline(daysFrom('2026-12-07', 7));
    expect([cards.loadError, cards.timelineCards, cards.timelineShown[0]]).toEqual(['disk I/O error', [], '2026-12-07']);
    expect(cards.loading(true), 'a failed load ends the loading state').toBe(false);
  });
});
