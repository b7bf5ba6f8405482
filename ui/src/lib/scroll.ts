// The Scheduler's scroll positions, kept with the view preferences (lib/prefs) so that a window
// rebuilt from the tray shows what the planner was looking at: the time grid's vertical scroll
// (Day and Week share it: the hours) and the timeline's horizontal and vertical scroll. A view
// drawn anew is scrolled back once its content is laid out.

/** Where the scroll positions are remembered (the view preferences). */
export const SCROLL_KEY = 'quick3.scheduler.scroll';

export interface ScrollPlace {
  left: number;
  top: number;
}

export interface Scrolls {
  /** The Day and Week views' time grid: its scrollTop. */
  grid: number | null;
  /** The timeline. */
  timeline: ScrollPlace | null;
}

/** Beyond any real scroll offset (a month of 24 hours at the widest zoom is ~350,000 px). */
const FARTHEST = 10_000_000;

function offset(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= FARTHEST ? Math.round(value) : null;
}

/** The positions remembered, each null when missing or not understood. */
export function rememberedScrolls(stored: string | null | undefined): Scrolls {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = stored ? JSON.parse(stored) : {};
    if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    raw = {};
  }
  const grid = offset(raw.grid);
  const tl = raw.timeline && typeof raw.timeline === 'object' ? (raw.timeline as Record<string, unknown>) : {};
  const left = offset(tl.left);
  const top = offset(tl.top);
  return { grid, timeline: left === null || top === null ? null : { left, top } };
}

/** The text to remember for `scrolls`. */
export function scrollsToRemember(scrolls: Scrolls): string {
  return JSON.stringify(scrolls);
}

/** What the scroll-back of an element works with: the element, or a test's stand-in. */
export interface Scrollable {
  scrollLeft: number;
  scrollTop: number;
  addEventListener(type: string, listener: () => void, options?: AddEventListenerOptions): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** When a person takes over the scrolling. */
const TAKE_OVER = ['wheel', 'pointerdown', 'keydown', 'touchstart'] as const;

/**
 * Scrolls `el` back to `place` (the parts given), frame after frame until it stays there two
 * frames in a row — content laid out late (cards loaded after the first drawing, a width measured
 * after mounting) would otherwise clamp it short — or `frames` frames passed, or a person scrolls
 * or clicks; `done` is called then, once. Answers a stop for a view that leaves before: it ends
 * without `done` (the element's offsets are no longer the planner's then).
 */
export function scrollBack(
  el: Scrollable,
  place: Partial<ScrollPlace>,
  done: () => void,
  { frames = 60, nextFrame = (f: () => void) => requestAnimationFrame(f), cancelFrame = (id: number) => cancelAnimationFrame(id) } = {},
): () => void {
  let left = frames;
  let held = 0;
  let frame = 0;
  let ended = false;
  const there = () =>
    (place.left === undefined || el.scrollLeft === place.left) && (place.top === undefined || el.scrollTop === place.top);
  const end = (report = true) => {
    if (ended) return;
    ended = true;
    cancelFrame(frame);
    for (const type of TAKE_OVER) el.removeEventListener(type, takeOver);
    if (report) done();
  };
  const takeOver = () => end();
  const step = () => {
    held = there() ? held + 1 : 0;
    if (held >= 2 || --left < 0) return end();
    if (place.left !== undefined) el.scrollLeft = place.left;
    if (place.top !== undefined) el.scrollTop = place.top;
    frame = nextFrame(step);
  };
  for (const type of TAKE_OVER) el.addEventListener(type, takeOver, { passive: true });
  step();
  return () => end(false);
}

/** Where the positions are kept: the view preferences (lib/prefs), in the page's Storage shape. */
export type ScrollStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The time grid's scroller as the keeper sees it (the element, or a test's stand-in). */
export type Grid = Scrollable & { isConnected?: boolean };

/**
 * The Scheduler's scroll positions: remembered as the planner scrolls (at most once a frame), and
 * given back to a view drawn anew — the time grid once it has its first cards, the timeline as it
 * mounts (`scrolls.timeline` is its `scrollTo`).
 */
export class ScrollKeeper {
  scrolls: Scrolls;
  /** The time grid last given back its place: its scrolling from then on is the planner's. */
  #grid: Grid | null = null;
  #goingBack = false;
  #frame = 0;
  #stop = () => {};

  constructor(
    private readonly storage: ScrollStorage | undefined,
    private readonly frames: { nextFrame?: (f: () => void) => number; cancelFrame?: (id: number) => void } = {},
  ) {
    this.scrolls = rememberedScrolls(storage?.getItem(SCROLL_KEY));
  }

  #keep(part: Partial<Scrolls>) {
    this.scrolls = { ...this.scrolls, ...part };
    this.storage?.setItem(SCROLL_KEY, scrollsToRemember(this.scrolls));
  }

  /**
   * The Day or Week view's time grid answered a load: one not seen before (EventCalendar drew it
   * anew, after its own scroll to 08:00) goes back to the hours left.
   */
  gridLoaded(grid: Grid | null) {
    if (!grid || grid === this.#grid) return;
    this.#grid = grid;
    if (this.scrolls.grid === null) return;
    this.#goingBack = true;
    this.#stop = scrollBack(grid, { top: this.scrolls.grid }, () => {
      this.#goingBack = false;
      if (grid.isConnected !== false) this.#keep({ grid: grid.scrollTop });
    }, this.frames);
  }

  /** The Day or Week view's time grid scrolled (EventCalendar's first scroll of a new one is not the planner's). */
  gridScrolled(grid: Grid) {
    if (grid !== this.#grid || this.#goingBack || this.#frame) return;
    this.#frame = (this.frames.nextFrame ?? requestAnimationFrame)(() => {
      this.#frame = 0;
      if (grid.isConnected !== false) this.#keep({ grid: grid.scrollTop });
    });
  }

  /** The timeline scrolled (ResourceTimeline's `onscrolled`). */
  timelineScrolled(place: ScrollPlace) {
    this.#keep({ timeline: place });
  }

  /** The Scheduler leaves: nothing more is scrolled back or remembered. */
  stop() {
    this.#stop();
    (this.frames.cancelFrame ?? cancelAnimationFrame)(this.#frame);
    this.#frame = 0;
  }
}
