import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import { CardFocus } from './cardFocus';
import type { CardBox, SearchHit } from './navigation';
import { testRecord } from './test-records';

const room = (id: number): Resource => ({
  id,
  name: `Room ${id}`,
  email: null,
  kind: 'room',
  colour: '#1f6fb2',
  hours: { start: '07:00', end: '16:00' },
  archived: false,
});

/**
 * Six resources in pages of two, the page of resources 3 and 4 shown (or the timeline). Cards:
 * `a` and `b` on resource 3 (a above b), `c` on resource 4, `far` on resource 6; only the page's
 * are drawn. Every call to the screen is recorded in order.
 */
function fixture({ timeline = false, drawn = ['a', 'b', 'c'] } = {}) {
  const calls: string[] = [];
  const records = [
    testRecord({ id: 'a', resource_id: 3 }),
    testRecord({ id: 'b', resource_id: 3, start: '2026-11-25T11:00:00+01:00', end: '2026-11-25T12:00:00+01:00' }),
    testRecord({ id: 'c', resource_id: 4 }),
    testRecord({ id: 'far', resource_id: 6 }),
  ];
  const boxes: CardBox[] = [
    { id: 'a', left: 0, top: 100, width: 100, height: 40 },
    { id: 'b', left: 0, top: 200, width: 100, height: 40 },
    { id: 'c', left: 120, top: 100, width: 100, height: 40 },
  ];
  const view = {
    isTimeline: timeline,
    shown: [1, 2, 3, 4, 5, 6].map(room),
    page: { first: 2, count: 2, total: 6 },
    pageAt: 2,
    onPage: (r: number) => timeline || r === 3 || r === 4,
    pageTo: (r: number) => calls.push(`pageTo ${r}`),
    gotoDate: (d: string) => calls.push(`goto ${d}`),
  };
  const focus = new CardFocus({
    view,
    card: (id) => records.find((r) => r.id === id),
    cards: () => records,
    boxes: () => boxes.filter((b) => drawn.includes(b.id)),
    focus: async (id) => {
      calls.push(`focus ${id}`);
      return drawn.includes(id);
    },
    focusWhenDrawn: (id) => calls.push(`focusWhenDrawn ${id}`),
    drawn: async () => {
      calls.push('drawn');
    },
    deleteCard: (id, neighbour) => calls.push(`delete ${id}, then ${neighbour}`),
  });
  return { focus, calls, view };
}

const hit = (id: string): SearchHit => ({ id, title: 'Meeting', resource: 'Room', when: 'Wed 25 Nov, 09:00', date: '2026-11-25' });

describe('arrow keys', () => {
  it('focus the nearest card that way on the page', () => {
    const { focus, calls, view } = fixture();
    focus.key({ kind: 'move', card: 'a', key: 'ArrowDown' });
    focus.key({ kind: 'move', card: 'a', key: 'ArrowRight' });
    expect(calls).toEqual(['focus b', 'focus c']);
    expect(view.pageAt, 'the page stays').toBe(2);
  });

  it("past the page's edge, turn to the nearest resource that way with a card and focus it once drawn", () => {
    const { focus, calls, view } = fixture();
    focus.arrow('c', 'ArrowRight');
    expect(calls, 'resource 5 has no card: resource 6 is next').toEqual(['focusWhenDrawn far']);
    expect(view.pageAt).toBe(5);
  });

  it('go nowhere past the top, the bottom, or an edge with no card beyond', () => {
    const { focus, calls, view } = fixture();
    focus.arrow('a', 'ArrowUp');
    focus.arrow('b', 'ArrowDown');
    focus.arrow('a', 'ArrowLeft');
    expect(calls, 'resources 1 and 2 have no card').toEqual([]);
    expect(view.pageAt).toBe(2);
  });

  it('on the timeline, never turn a page (it shows every row)', () => {
    const { focus, calls, view } = fixture({ timeline: true });
    focus.arrow('c', 'ArrowRight');
    expect(calls).toEqual([]);
    expect(view.pageAt).toBe(2);
  });
});

describe('Delete', () => {
  it('hands the focus to the card below, else the one above', () => {
    const { focus, calls } = fixture();
    focus.key({ kind: 'delete', card: 'a' });
    focus.key({ kind: 'delete', card: 'b' });
    expect(calls).toEqual(['delete a, then b', 'delete b, then a']);
  });

  it('with no card left beside it, focuses nothing after', () => {
    const { focus, calls } = fixture({ drawn: ['c'] });
    focus.key({ kind: 'delete', card: 'c' });
    expect(calls).toEqual(['delete c, then null']);
  });
});

describe('a search hit', () => {
  it('on the page and drawn: focused at once', async () => {
    const { focus, calls } = fixture();
    await focus.goToHit(hit('c'));
    expect(calls).toEqual(['focus c']);
  });

  it("on another page: that page, then its card once drawn, else its day's range", async () => {
    const { focus, calls } = fixture();
    await focus.goToHit(hit('far'));
    expect(calls).toEqual(['focusWhenDrawn far', 'pageTo 6', 'drawn', 'focus far', 'focusWhenDrawn far', 'goto 2026-11-25']);
  });

  it('not in the range loaded: its day, its card focused when drawn', async () => {
    const { focus, calls } = fixture();
    await focus.goToHit(hit('elsewhere'));
    expect(calls).toEqual(['focus elsewhere', 'focusWhenDrawn elsewhere', 'goto 2026-11-25']);
  });
});
