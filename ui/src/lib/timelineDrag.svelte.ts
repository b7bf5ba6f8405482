// A drag on the resource timeline, without a DOM: a press on free time selects a span for a new
// appointment, on a card moves it (also to another row; all-day ones by whole days), on its right
// edge stretches it. The pointer becomes a drag only past a few pixels (else it is a click); the
// release says what to do; the preview follows the pointer and, while a move is saved, stays where
// the card goes. ResourceTimeline.svelte turns pointer events into grid points and scrolls.
import type { PickedSlot } from './calendar';
import { movedSpan, resizedEnd, rowAt, selectionSpan, xOf, type TimelineCard, type TimelineChange, type TimelineGrid } from './timeline';
import type { WallTime } from './time';

/** How far the pointer moves before a press becomes a drag. */
export const DRAG_THRESHOLD = 4;

export type Gesture =
  | { kind: 'select'; row: number; fromX: number; toX: number; moved: boolean }
  | { kind: 'move' | 'resize'; card: TimelineCard; row: number; fromX: number; fromY: number; toX: number; toRow: number; moved: boolean };

/** What a release asks for. */
export type Release =
  /** No drag (the pointer stayed): a click, which opens or does nothing. */
  | { kind: 'click' }
  /** A drag that changed nothing (a card put back where it was): the click is swallowed. */
  | { kind: 'none' }
  | { kind: 'create'; slot: PickedSlot }
  | { kind: 'move'; id: string; change: TimelineChange };

/** The preview drawn during a drag: the card at its would-be place, or the selected span. */
export type Preview =
  | { kind: 'card'; card: TimelineCard; row: number; x: number; width: number; start: WallTime; end: WallTime }
  | { kind: 'select'; row: number; x: number; width: number; start: WallTime; end: WallTime };

/** The grid and rows the drag is on (the timeline's layout of the moment). */
export interface DragPlace {
  grid: TimelineGrid;
  rows: readonly { resourceId: number; top: number; height: number }[];
}

export class TimelineDrag {
  gesture: Gesture | null = $state(null);
  /** A move being saved: its preview stays until the Scheduler has the new times. */
  saving: { card: TimelineCard; row: number; start: WallTime; end: WallTime } | null = $state(null);

  constructor(private readonly place: () => DragPlace) {}

  /** A press on a card (`resize`: on its right edge) in row `row`, at grid point (x, y). */
  pressCard(card: TimelineCard, kind: 'move' | 'resize', row: number, x: number, y: number) {
    this.gesture = { kind, card, row, fromX: x, fromY: y, toX: x, toRow: row, moved: false };
  }

  /** A press on free time in row `row`, at grid x. */
  pressTrack(row: number, x: number) {
    this.gesture = { kind: 'select', row, fromX: x, toX: x, moved: false };
  }

  /** The pointer is at grid point (x, y): the gesture follows once past the threshold. */
  follow(x: number, y: number) {
    const g = this.gesture;
    if (!g) return;
    const dy = g.kind === 'select' ? 0 : y - g.fromY;
    if (!g.moved && Math.hypot(x - g.fromX, dy) < DRAG_THRESHOLD) return;
    if (g.kind === 'move') {
      const toRow = rowAt(this.place().rows, y) ?? g.toRow;
      if (g.moved && x === g.toX && toRow === g.toRow) return;
      this.gesture = { ...g, toX: x, toRow, moved: true };
    } else if (!g.moved || x !== g.toX) this.gesture = { ...g, toX: x, moved: true };
  }

  /** Escape, or the pointer lost: everything back. */
  cancel() {
    this.gesture = null;
  }

  /** The press ended: what it asks for. */
  release(): Release {
    const g = this.gesture;
    this.gesture = null;
    if (!g || !g.moved) return { kind: 'click' };
    const { grid, rows } = this.place();
    if (g.kind === 'select') {
      const span = selectionSpan(grid, g.fromX, g.toX);
      return { kind: 'create', slot: { resourceId: rows[g.row].resourceId, allDay: false, start: span.start, end: span.end } };
    }
    const span = this.#span(g) ?? { start: g.card.start, end: g.card.end };
    const row = g.kind === 'move' ? g.toRow : g.row;
    if (span.start === g.card.start && span.end === g.card.end && row === g.row) return { kind: 'none' };
    this.saving = { card: g.card, row, ...span };
    return { kind: 'move', id: g.card.id, change: { resourceId: rows[row].resourceId, allDay: g.card.allDay, ...span } };
  }

  /** Saves a released move by `save`; its preview stays until that resolves (or fails). */
  async save(release: Extract<Release, { kind: 'move' }>, save: (id: string, change: TimelineChange) => Promise<void>) {
    try {
      await save(release.id, release.change);
    } finally {
      this.saving = null;
    }
  }

  /** The preview of the drag (or of the move being saved), or null. */
  readonly preview: Preview | null = $derived.by(() => {
    const { grid } = this.place();
    const card = (c: TimelineCard, row: number, span: { start: WallTime; end: WallTime }): Preview => {
      const x = xOf(grid, span.start);
      return { kind: 'card', card: c, row, x, width: Math.max(xOf(grid, span.end) - x, 6), ...span };
    };
    const saving = this.saving;
    if (saving) return card(saving.card, saving.row, { start: saving.start, end: saving.end });
    const g = this.gesture;
    if (!g || !g.moved) return null;
    if (g.kind === 'select') {
      const span = selectionSpan(grid, g.fromX, g.toX);
      const x = xOf(grid, span.start);
      return { kind: 'select', row: g.row, x, width: xOf(grid, span.end) - x, ...span };
    }
    return card(g.card, g.kind === 'move' ? g.toRow : g.row, this.#span(g) ?? { start: g.card.start, end: g.card.end });
  });

  /** Where the card of a move or resize would go now, or null when nowhere new. */
  #span(g: Extract<Gesture, { card: TimelineCard }>): { start: WallTime; end: WallTime } | null {
    const { grid } = this.place();
    if (g.kind === 'move') return movedSpan(grid, g.card, g.fromX, g.toX);
    const end = resizedEnd(grid, g.card, g.toX);
    return end === null ? null : { start: g.card.start, end };
  }
}
