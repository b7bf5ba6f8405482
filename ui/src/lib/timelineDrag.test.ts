import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import { testRecord } from './test-records';
import { daysFrom, gridFor, toTimelineCard, type TimelineChange } from './timeline';
import { TimelineDrag } from './timelineDrag.svelte';

const room = (id: number): Resource => ({
  id,
  name: `Room ${id}`,
  email: null,
  kind: 'room',
  colour: '#1f6fb2',
  hours: { start: '07:00', end: '16:00' },
  archived: false,
});
const ctx = { mine: 1, accounts: new Map(), doubleBooked: new Set<string>() };

/** Mon 23 – Sun 29 Nov, 07:00–19:00 at 60 px an hour: a day is 720 px, Wednesday starts at 1440. */
const grid = gridFor(daysFrom('2026-11-23', 7), [], { first: 7, last: 19 }, 60);
const WED = 1440;
const hour = (h: number) => WED + (h - 7) * 60;
/** Two rows of 50 px: rooms 1 and 2. */
const rows = [
  { resourceId: 1, top: 0, height: 50 },
  { resourceId: 2, top: 50, height: 50 },
];
/** Room 1's card, Wednesday 09:00–10:00 Berlin. */
const card = toTimelineCard(testRecord({ id: 'a', resource_id: 1 }), new Map([[1, room(1)]]), 'Europe/Berlin', ctx);

const fixture = () => new TimelineDrag(() => ({ grid, rows }));

describe('a press that does not move', () => {
  it('is a click: nothing created, moved or previewed', () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(9.5) + 3, 20);
    expect(drag.preview, 'under the threshold nothing is drawn').toBeNull();
    expect(drag.release()).toEqual({ kind: 'click' });
  });

  it('on free time, straight down, stays a click (a selection only goes along the row)', () => {
    const drag = fixture();
    drag.pressTrack(0, hour(8));
    drag.follow(hour(8), 45);
    expect(drag.release()).toEqual({ kind: 'click' });
  });

  it('Escape puts everything back', () => {
    const drag = fixture();
    drag.pressTrack(0, hour(8));
    drag.follow(hour(11), 10);
    drag.cancel();
    expect(drag.preview).toBeNull();
    expect(drag.release()).toEqual({ kind: 'click' });
  });
});

describe('a drag over free time', () => {
  it('selects whole half hours along its row and creates there on release', () => {
    const drag = fixture();
    drag.pressTrack(1, hour(8) + 10);
    drag.follow(hour(10) + 10, 60);
    expect(drag.preview).toMatchObject({ kind: 'select', row: 1, start: '2026-11-25T08:00:00', end: '2026-11-25T10:30:00' });
    expect(drag.release()).toEqual({
      kind: 'create',
      slot: { resourceId: 2, allDay: false, start: '2026-11-25T08:00:00', end: '2026-11-25T10:30:00' },
    });
    expect(drag.saving, 'a new appointment goes to the dialog, nothing is saved yet').toBeNull();
  });
});

describe('a drag of a card', () => {
  it('moves it by the minutes dragged, to the row under the pointer, keeping its length', () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(11.5), 70);
    expect(drag.release()).toEqual({
      kind: 'move',
      id: 'a',
      change: { resourceId: 2, allDay: false, start: '2026-11-25T11:00:00', end: '2026-11-25T12:00:00' },
    });
  });

  it('keeps its preview where it goes while the move is saved, and drops it after', async () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(11.5), 20);
    const release = drag.release();
    if (release.kind !== 'move') throw new Error(`a move was expected, not ${release.kind}`);
    expect(drag.gesture).toBeNull();
    let done!: () => void;
    const saved: [string, TimelineChange][] = [];
    const saving = drag.save(release, (id, change) => {
      saved.push([id, change]);
      return new Promise<void>((resolve) => (done = resolve));
    });
    expect(drag.preview, 'the card is drawn at its new place until the Scheduler has it').toMatchObject({
      kind: 'card',
      row: 0,
      start: '2026-11-25T11:00:00',
      x: hour(11),
      width: 60,
    });
    done();
    await saving;
    expect(saved.map(([id]) => id)).toEqual(['a']);
    expect(drag.preview).toBeNull();
  });

  it('drops its preview even when the save fails', async () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(12), 20);
    const release = drag.release();
    if (release.kind !== 'move') throw new Error('a move was expected');
    await expect(drag.save(release, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(drag.saving).toBeNull();
  });

  it('put back where it was, saves nothing but swallows the click', () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(11), 20);
    drag.follow(hour(9.5) + 2, 20);
    expect(drag.release()).toEqual({ kind: 'none' });
    expect(drag.saving).toBeNull();
  });

  it('by its right edge, stretches only its end, on its own row', () => {
    const drag = fixture();
    drag.pressCard(card, 'resize', 0, hour(10), 20);
    drag.follow(hour(11.5), 70);
    expect(drag.release()).toEqual({
      kind: 'move',
      id: 'a',
      change: { resourceId: 1, allDay: false, start: '2026-11-25T09:00:00', end: '2026-11-25T11:30:00' },
    });
  });

  it('marks a released move as being saved (the timeline takes no new press meanwhile)', () => {
    const drag = fixture();
    drag.pressCard(card, 'move', 0, hour(9.5), 20);
    drag.follow(hour(12), 20);
    drag.release();
    expect(drag.saving, 'ResourceTimeline ignores presses while this is set').not.toBeNull();
  });
});
