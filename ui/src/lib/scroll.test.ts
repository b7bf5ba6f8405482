import { describe, expect, it } from 'vitest';
import { rememberedScrolls, scrollBack, ScrollKeeper, scrollsToRemember, SCROLL_KEY, type Scrollable } from './scroll';

describe('rememberedScrolls', () => {
  it('reads back what was remembered', () => {
    const scrolls = { grid: 420, timeline: { left: 1200, top: 96 } };
    expect(rememberedScrolls(scrollsToRemember(scrolls))).toEqual(scrolls);
  });

  it.each([
    ['nothing', null],
    ['not JSON', '{'],
    ['negative and non-number offsets', '{"grid":-5,"timeline":{"left":"10","top":3}}'],
    ['absurd offsets', '{"grid":1e12,"timeline":{"left":1e12,"top":0}}'],
  ])('forgets what it does not understand: %s', (_, stored) => {
    expect(rememberedScrolls(stored)).toEqual({ grid: null, timeline: null });
  });

  it('keeps the part it understands', () => {
    expect(rememberedScrolls('{"grid":300.4,"timeline":{"left":5}}')).toEqual({ grid: 300, timeline: null });
  });
});

/** An element whose content is `width` × `height` more than its view: offsets clamp to that. */
function element(width: number, height: number) {
  const listeners = new Map<string, () => void>();
  let left = 0;
  let top = 0;
  const el = {
    width,
    height,
    get scrollLeft() {
      return left;
    },
    set scrollLeft(v: number) {
      left = Math.min(Math.max(v, 0), el.width);
    },
    get scrollTop() {
      return top;
    },
    set scrollTop(v: number) {
      top = Math.min(Math.max(v, 0), el.height);
    },
    addEventListener: (type: string, listener: () => void) => void listeners.set(type, listener),
    removeEventListener: (type: string) => void listeners.delete(type),
    listeners,
  };
  return el satisfies Scrollable;
}

/** Frames run by hand. */
function frames() {
  const queue: (() => void)[] = [];
  return {
    nextFrame: (f: () => void) => queue.push(f),
    cancelFrame: () => void queue.splice(0),
    run: (n: number) => {
      for (let i = 0; i < n && queue.length; i++) queue.shift()!();
    },
    pending: () => queue.length,
  };
}

describe('scrollBack', () => {
  it('gets there once the content has grown wide enough, then stops', () => {
    const el = element(300, 0); // the days are not laid out at their width yet
    const f = frames();
    let done = 0;
    scrollBack(el, { left: 1200, top: 0 }, () => done++, f);
    expect(el.scrollLeft, 'clamped while the content is narrow').toBe(300);
    f.run(3);
    el.width = 5000; // laid out
    f.run(3);
    expect(el.scrollLeft).toBe(1200);
    f.run(5);
    expect(done, 'ends once it held two frames').toBe(1);
    expect(f.pending()).toBe(0);
    expect(el.listeners.size, 'no listener left behind').toBe(0);
  });

  it('puts it back when something else scrolled it meanwhile (the calendar scrolling to its hour)', () => {
    const el = element(0, 2000);
    const f = frames();
    scrollBack(el, { top: 640 }, () => {}, f);
    el.scrollTop = 32;
    f.run(4);
    expect(el.scrollTop).toBe(640);
  });

  it('gives up after its frames when the place cannot be reached, as close as it gets', () => {
    const el = element(0, 100);
    const f = frames();
    let done = 0;
    scrollBack(el, { top: 640 }, () => done++, { ...f, frames: 5 });
    f.run(10);
    expect(done).toBe(1);
    expect(el.scrollTop).toBe(100);
  });

  it('stops when a person scrolls or clicks', () => {
    const el = element(0, 2000);
    const f = frames();
    let done = 0;
    scrollBack(el, { top: 640 }, () => done++, f);
    el.listeners.get('wheel')!();
    el.scrollTop = 900;
    f.run(5);
    expect(el.scrollTop, 'the person has it now').toBe(900);
    expect(done).toBe(1);
  });

  it("stopped because the view leaves, it says nothing (the offsets are no longer the planner's)", () => {
    const el = element(0, 2000);
    const f = frames();
    let done = 0;
    const stop = scrollBack(el, { top: 640 }, () => done++, f);
    stop();
    f.run(5);
    expect(done).toBe(0);
    expect(f.pending()).toBe(0);
    expect(el.listeners.size).toBe(0);
  });
});

describe('ScrollKeeper', () => {
  function storage(initial: Record<string, string> = {}) {
    const items = new Map(Object.entries(initial));
    return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  }

  it('gives a time grid drawn anew the hours left, and remembers the planner scrolling it after', () => {
    const kept = storage({ [SCROLL_KEY]: scrollsToRemember({ grid: 640, timeline: { left: 10, top: 20 } }) });
    const f = frames();
    const keeper = new ScrollKeeper(kept, f);
    const grid = element(0, 2000);
    grid.scrollTop = 48; // EventCalendar's own scroll to 08:00
    keeper.gridScrolled(grid);
    expect(f.pending(), "EventCalendar's first scroll of a new grid is not the planner's").toBe(0);
    keeper.gridLoaded(grid);
    keeper.gridScrolled(grid);
    f.run(5);
    expect(grid.scrollTop).toBe(640);
    grid.scrollTop = 900;
    keeper.gridScrolled(grid);
    keeper.gridScrolled(grid);
    f.run(1);
    expect(rememberedScrolls(kept.items.get(SCROLL_KEY))).toEqual({ grid: 900, timeline: { left: 10, top: 20 } });
    keeper.gridLoaded(grid);
    f.run(5);
    expect(grid.scrollTop, 'a later load of the same grid (Next) leaves the scroll to the planner').toBe(900);
  });

  it('remembers nothing of a grid that left before it was back (the view switched)', () => {
    const kept = storage({ [SCROLL_KEY]: scrollsToRemember({ grid: 640, timeline: null }) });
    const f = frames();
    const keeper = new ScrollKeeper(kept, f);
    const grid = Object.assign(element(0, 2000), { isConnected: true });
    keeper.gridLoaded(grid);
    grid.isConnected = false;
    grid.listeners.get('wheel')!();
    expect(rememberedScrolls(kept.items.get(SCROLL_KEY)).grid).toBe(640);
    keeper.stop();
  });

  it("keeps the timeline's place as it scrolls", () => {
    const kept = storage();
    const keeper = new ScrollKeeper(kept, frames());
    keeper.timelineScrolled({ left: 1200, top: 96 });
    expect(keeper.scrolls.timeline).toEqual({ left: 1200, top: 96 });
    expect(rememberedScrolls(kept.items.get(SCROLL_KEY)).timeline).toEqual({ left: 1200, top: 96 });
  });
});
