import { describe, expect, it } from 'vitest';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import { testRecord } from './test-records';
import { isUndoKey, patchBack, seriesRestoredText, UndoHistory, type UndoBackend } from './undo.svelte';

/** A backend that records its calls and answers with the appointment as the call leaves it. */
function backend(fail?: unknown) {
  const calls: string[] = [];
  const answer = (card: AppointmentCard) => (fail ? Promise.reject(fail) : Promise.resolve(card));
  const api: UndoBackend = {
    restore: (id) => {
      calls.push(`restore ${id}`);
      return answer(testRecord({ id }));
    },
    restoreSeries: (single) => {
      calls.push(`restore series of ${single}`);
      return answer(testRecord({ id: 'master' }));
    },
    edit: (id: string, patch: AppointmentPatch) => {
      calls.push(`edit ${id} ${patch.start}`);
      return answer(testRecord({ id, start: patch.start ?? '' }));
    },
    editOccurrence: (seriesId, occurrence, patch) => {
      calls.push(`edit occurrence ${seriesId} ${occurrence} ${patch.start}`);
      return answer(testRecord({ series_id: seriesId, original_start: occurrence, start: patch.start ?? '' }));
    },
    undoSeriesEdit: (seriesId, undo) => {
      calls.push(`undo series ${seriesId} ${undo}`);
      return fail ? Promise.reject(fail) : Promise.resolve({ record: testRecord({ id: seriesId, title: 'Weekly' }), occurrences: 2 });
    },
  };
  return { api, calls };
}

describe('undo history', () => {
  it('moves an occurrence back by its series and original start, and restores a deleted one by its id', async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    const occurrence = { series_id: 's1', original_start: '2026-11-30T08:00:00Z' };
    const moved = testRecord({ id: 'o1', ...occurrence, start: '2026-11-30T09:00:00+01:00' });
    const gone = testRecord({ id: 'o2', series_id: 's1', original_start: '2026-12-07T08:00:00Z' });
    history.push({ kind: 'move', before: moved });
    history.push({ kind: 'delete', record: gone });
    await history.undoLast();
    await history.undoLast();
    expect(calls, 'an occurrence never changed has no row for a plain edit').toEqual([
      'restore o2',
      'edit occurrence s1 2026-11-30T08:00:00Z 2026-11-30T09:00:00+01:00',
    ]);
  });

  it('brings back the series a single appointment was made from, by that appointment', async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    history.push({ kind: 'single', record: testRecord({ id: 'one' }) });
    const done = await history.undoLast();
    expect(calls).toEqual(['restore series of one']);
    expect(done?.text).toBe('Series restored');
    expect(done?.record.id, 'the answer is the series master').toBe('master');
    history.push({ kind: 'single', record: testRecord({ id: 'two' }) });
    history.forget('two');
    expect(history.size, 'its step is known by the single appointment').toBe(0);
  });

  it('takes back the newest step first, and forgets the oldest beyond its limit', () => {
    const history = new UndoHistory(backend().api, 2);
    const [a, b, c] = [testRecord(), testRecord(), testRecord()];
    history.push({ kind: 'delete', record: a });
    history.push({ kind: 'move', before: b });
    history.push({ kind: 'delete', record: c });
    expect(history.size).toBe(2);
    expect(history.pop()).toEqual({ kind: 'delete', record: c });
    expect(history.pop()).toEqual({ kind: 'move', before: b });
    expect(history.pop()).toBeUndefined();
  });

  it('forgets steps of an appointment restored another way (the toast’s Undo)', async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    const a = testRecord();
    history.push({ kind: 'delete', record: a });
    history.push({ kind: 'move', before: a });
    expect(await history.restore(a)).toMatchObject({ record: { id: a.id }, text: 'Appointment restored' });
    expect(history.size, 'nothing left to take back for it').toBe(0);
    expect(calls).toEqual([`restore ${a.id}`]);
  });

  it('takes back a deletion by restoring and a move by the edit that puts it back', async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    const gone = testRecord();
    const moved = testRecord({ start: '2026-11-24T08:00:00+01:00' });
    history.push({ kind: 'move', before: moved });
    history.push({ kind: 'delete', record: gone });
    expect(await history.undoLast()).toMatchObject({ record: { id: gone.id }, text: 'Appointment restored' });
    expect(await history.undoLast()).toMatchObject({ record: { id: moved.id }, text: 'Move undone' });
    expect(await history.undoLast(), 'nothing left').toBeNull();
    expect(calls).toEqual([`restore ${gone.id}`, `edit ${moved.id} 2026-11-24T08:00:00+01:00`]);
  });

  it("undoes a series' change of times by its undo, naming the occurrences that came back", async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    const moved = testRecord({ series_id: 'series', original_start: '2026-11-25T08:00:00Z', start: '2026-11-25T11:00:00+01:00' });
    history.push({ kind: 'move', before: moved });
    history.push({ kind: 'series', seriesId: 'series', undo: 7 });
    expect(await history.undoLast()).toEqual({
      record: expect.objectContaining({ id: 'series' }),
      text: 'Restored the series “Weekly” and its 2 changed occurrences',
    });
    expect(history.size, 'the move made before it is next').toBe(1);
    expect(calls).toEqual(['undo series series 7']);
  });

  it("a toast's Undo takes its own step out of the history, wherever it stands", async () => {
    const { api, calls } = backend();
    const history = new UndoHistory(api);
    const step = { kind: 'series' as const, seriesId: 'series', undo: 3 };
    history.push(step);
    history.push({ kind: 'move', before: testRecord() });
    await history.take(step);
    expect(calls).toEqual(['undo series series 3']);
    expect(history.size, 'the later move stays; the series change is not undone twice').toBe(1);
  });

  it.each([
    [0, 'Restored the series “Weekly”'],
    [1, 'Restored the series “Weekly” and its changed occurrence'],
    [3, 'Restored the series “Weekly” and its 3 changed occurrences'],
  ])('says what came back with the series (%i occurrences)', (count, text) => {
    expect(seriesRestoredText('Weekly', count)).toBe(text);
  });

  it('drops a step the backend refused, with the refusal passed on', async () => {
    const history = new UndoHistory(backend({ code: 'UnknownAppointment', message: 'gone' }).api);
    history.push({ kind: 'move', before: testRecord() });
    await expect(history.undoLast()).rejects.toMatchObject({ code: 'UnknownAppointment' });
    expect(history.size, 'not tried again by the next Ctrl+Z').toBe(0);
  });

  it('puts a moved appointment back at its time, zone and resource, leaving the rest', () => {
    const before = testRecord({ resource_id: 2 });
    expect(patchBack(before)).toEqual({
      resource_id: 2,
      title: null,
      all_day: false,
      start: '2026-11-25T09:00:00+01:00',
      end: '2026-11-25T10:00:00+01:00',
      time_zone: 'Europe/Berlin',
      location: null,
      notes: null,
      categories: null,
      show_as: null,
      sensitivity: null,
    });
    const day = testRecord({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null });
    expect(patchBack(day)).toMatchObject({ all_day: true, start: '2026-11-25', end: '2026-11-26', time_zone: null });
  });
});

describe('the undo key', () => {
  const key = (over: Partial<Parameters<typeof isUndoKey>[0]>) => ({
    key: 'z',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    ...over,
  });

  it.each([
    ['Ctrl+Z', key({ ctrlKey: true }), true],
    ['Cmd+Z', key({ metaKey: true }), true],
    ['Ctrl+Z with Caps Lock', key({ ctrlKey: true, key: 'Z' }), true],
    ['Ctrl+Shift+Z (redo elsewhere)', key({ ctrlKey: true, shiftKey: true, key: 'Z' }), false],
    ['Ctrl+Alt+Z', key({ ctrlKey: true, altKey: true }), false],
    ['z alone', key({}), false],
    ['Ctrl+Y', key({ ctrlKey: true, key: 'y' }), false],
  ])('%s', (_name, pressed, undoes) => {
    expect(isUndoKey(pressed)).toBe(undoes);
  });
});
