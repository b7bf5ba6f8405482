import { describe, expect, it } from 'vitest';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import { ErrorCode } from '../bindings/ErrorCode';
import { AppointmentFlow, movePatch, type FlowBackend } from './appointmentFlow.svelte';
import { PRIVATE_READ_ONLY } from './cards';
import { testRecord } from './test-records';

const single = testRecord({ id: 'single', title: 'Stand-up' });
const occurrence = testRecord({ id: 'occ', title: 'Weekly', series_id: 'series', original_start: '2026-11-25T08:00:00Z' });
const master = testRecord({
  id: 'series',
  title: 'Weekly',
  recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['wednesday'] }, range: { type: 'numbered', startDate: '2026-11-25', numberOfOccurrences: 3 } },
  occurrence_count: 3,
} as never);
const pulled = testRecord({ id: 'pulled', origin: { kind: 'microsoft365', account_id: 1, calendar_id: 'c', remote_id: 'r' }, series_id: 'x', original_start: '2026-11-25T08:00:00Z' });
const locked = testRecord({ id: 'locked', read_only: 'Pulled from a read-only calendar.' });
const othersPrivate = testRecord({ id: 'private', resource_id: 2, sensitivity: 'private', title: 'Doctor' });

/**
 * The flow on a fake backend and screen: every call is recorded, in order, as one line; `fail`
 * names backend calls that answer with an error; `extra` cards join the range.
 */
function fixture(fail: Partial<Record<keyof FlowBackend, { code: string; message: string }>> = {}, extra: AppointmentCard[] = []) {
  const calls: string[] = [];
  /** The patches of edits, in order. */
  const patches: AppointmentPatch[] = [];
  const cards = new Map<string, AppointmentCard>([single, occurrence, pulled, locked, othersPrivate, ...extra].map((c) => [c.id, c]));
  const answer =
    <T>(name: keyof FlowBackend, value: (...args: never[]) => T) =>
    async (...args: unknown[]) => {
      calls.push(`${name} ${args.join(' ')}`);
      if (fail[name]) throw fail[name];
      return (value as (...a: unknown[]) => T)(...args);
    };
  const backend: FlowBackend = {
    getAppointment: answer('getAppointment', (id: string) => (id === 'series' ? master : cards.get(id) ?? testRecord({ id }))) as never,
    getOccurrence: answer('getOccurrence', () => occurrence) as never,
    deleteAppointment: answer('deleteAppointment', () => null) as never,
    deleteOccurrence: answer('deleteOccurrence', () => null) as never,
    editAppointment: answer('editAppointment', (id: string, patch: AppointmentPatch) => {
      patches.push(patch);
      return testRecord({ id });
    }) as never,
    editOccurrence: answer('editOccurrence', (_s: string, _o: string, patch: AppointmentPatch) => {
      patches.push(patch);
      return occurrence;
    }) as never,
    restoreAppointment: answer('restoreAppointment', (id: string) => testRecord({ id })) as never,
    undoSeriesEdit: answer('undoSeriesEdit', () => ({ record: master, occurrences: 2 })) as never,
    restoreSeries: answer('restoreSeries', () => master) as never,
    pushChanges: answer('pushChanges', () => true) as never,
  };
  const toasts: { text: string; tone?: string; action?: { label: string; run: () => void } }[] = [];
  const flow = new AppointmentFlow(backend, {
    card: (id) => cards.get(id),
    mine: () => 1,
    zone: () => 'Europe/Berlin',
    toast: (t) => {
      calls.push(`toast ${t.text}`);
      toasts.push(t);
    },
    refresh: () => {
      calls.push('refresh');
    },
    reveal: (r) => calls.push(`reveal ${r.id}`),
    unselect: () => calls.push('unselect'),
  });
  return { flow, calls, toasts, patches };
}

/** Lets the backend's promises and their continuations run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a card in a sync conflict', () => {
  it('opens the conflict dialog, not the appointment, and says what settling did', async () => {
    const { flow, calls } = fixture();
    const held = testRecord({ id: 'held', upload: { state: 'conflict', account: 'megan.bowen@contoso.example', conflict: 7 } });
    const { flow: withHeld, calls: heldCalls } = fixture({}, [held]);
    await withHeld.openExisting('held');
    expect(withHeld.conflict, 'the conflict it names').toBe(7);
    expect(withHeld.dialog, 'no appointment dialog').toBeNull();
    expect(withHeld.asking, 'the window keys stay with the dialog').toBe(true);
    expect(heldCalls, 'nothing asked of the backend yet').toEqual([]);
    withHeld.conflictSettled('“Held” keeps Quick3 Planner’s version.', 1);
    await settle();
    expect(withHeld.conflict).toBeNull();
    expect(heldCalls).toEqual(['toast “Held” keeps Quick3 Planner’s version.', 'pushChanges 1', 'refresh']);
    flow.conflictSettled('“Held” now holds Outlook’s version.', null);
    expect(calls, "Outlook's kept: nothing to send").toEqual(['toast “Held” now holds Outlook’s version.', 'refresh']);
  });
});

describe('opening a card', () => {
  it('opens a single appointment in the dialog at once, read whole from the backend', async () => {
    const { flow, calls } = fixture();
    await flow.openExisting('single');
    expect(flow.seriesQuestion, 'a single appointment asks no series question').toBeNull();
    expect(calls).toEqual(['getAppointment single']);
    expect(flow.dialog?.record?.id).toBe('single');
    expect(flow.dialog?.form.title, 'the form starts from the record').toBe('Stand-up');
  });

  it('asks "this occurrence or the whole series?" for an occurrence before reading anything', async () => {
    const { flow, calls } = fixture();
    await flow.openExisting('occ');
    expect(flow.seriesQuestion).toEqual({ card: occurrence, action: 'open', neighbour: null });
    expect(flow.dialog, 'the dialog waits for the answer').toBeNull();
    expect(calls, 'nothing is asked of the backend before the answer').toEqual([]);
    expect(flow.asking, 'the question holds Ctrl+Z back').toBe(true);
  });

  it('opens the occurrence by its series and original start, or the series by its master', async () => {
    const one = fixture();
    await one.flow.openExisting('occ');
    await one.flow.answerSeries('occurrence');
    expect(one.calls).toEqual(['getOccurrence series 2026-11-25T08:00:00Z']);
    expect(one.flow.seriesQuestion, 'the question closes with the answer').toBeNull();
    expect(one.flow.dialog?.record?.id).toBe('occ');

    const all = fixture();
    await all.flow.openExisting('occ');
    await all.flow.answerSeries('series');
    expect(all.calls).toEqual(['getAppointment series']);
    expect(all.flow.dialog?.record?.id, 'the whole series opens on its master').toBe('series');
  });

  it('opens an occurrence of a series pulled from Outlook as any pulled appointment', async () => {
    const { flow, calls } = fixture();
    await flow.openExisting('pulled');
    expect(flow.seriesQuestion, "Outlook's series are Outlook's: no question").toBeNull();
    expect(calls).toEqual(['getAppointment pulled']);
  });

  it("opens another resource's private appointment as Private, read-only", async () => {
    const { flow } = fixture();
    await flow.openExisting('private');
    expect(flow.dialog?.record?.title, 'the real title would be overwritten by a save').toBe('Private');
    expect(flow.dialog?.record?.read_only).toBe(PRIVATE_READ_ONLY);
  });

  it('says an appointment deleted meanwhile is gone and shows the range again', async () => {
    const { flow, calls } = fixture({ getAppointment: { code: ErrorCode.UnknownAppointment, message: 'unknown' } });
    await flow.openExisting('single');
    expect(flow.dialog).toBeNull();
    expect(calls).toEqual(['getAppointment single', 'toast This appointment has been deleted meanwhile.', 'refresh']);
  });

  it('shows any other failure as it is, without a refresh', async () => {
    const { flow, calls } = fixture({ getAppointment: { code: 'Store', message: 'disk full' } });
    await flow.openExisting('single');
    expect(calls).toEqual(['getAppointment single', 'toast disk full']);
  });

  it('ignores a card no longer in the range', async () => {
    const { flow, calls } = fixture();
    await flow.openExisting('gone');
    expect(flow.dialog).toBeNull();
    expect(calls).toEqual([]);
  });

  it('opens a new appointment on the picked slot, on my resource when the slot has none', () => {
    const { flow } = fixture();
    flow.openNew({ resourceId: null, allDay: false, start: '2026-11-25T09:00:00', end: '2026-11-25T10:00:00' });
    expect(flow.dialog?.record).toBeNull();
    expect(flow.dialog?.form.resourceId).toBe(1);
  });
});

describe('closing and saving the dialog', () => {
  it('closing drops the dialog and the selected slot; nothing takes the focus', () => {
    const { flow, calls } = fixture();
    flow.openNew({ resourceId: 1, allDay: false, start: '2026-11-25T09:00:00', end: '2026-11-25T10:00:00' });
    flow.closeDialog();
    expect(flow.dialog).toBeNull();
    expect(calls).toEqual(['unselect']);
    expect(flow.focusNext, 'a closed dialog sends the focus nowhere').toBeNull();
  });

  it('a save closes, shows the range again, reveals the appointment and pushes it, in that order', () => {
    const { flow, calls } = fixture();
    flow.saved(single);
    expect(calls.slice(0, 3)).toEqual(['unselect', 'refresh', 'reveal single']);
    expect(calls[3]).toBe('pushChanges 1');
    expect(flow.undo.size, 'a save is not undone by Ctrl+Z').toBe(0);
  });
});

describe('a series made one appointment (Repeat Never)', () => {
  const made = { record: testRecord({ id: 'one', title: 'Weekly' }), sentence: 'The series becomes one appointment on Wed 25 Nov 09:00–10:00; its 2 other occurrences are removed.' };

  it('is saved as any edit and says what went, with Undo', () => {
    const { flow, calls, toasts } = fixture();
    flow.madeSingle(made);
    expect(calls.slice(0, 3)).toEqual(['unselect', 'refresh', 'reveal one']);
    expect(toasts[toasts.length - 1]?.text, 'the core sentence names what went').toBe(made.sentence);
    expect(toasts[toasts.length - 1]?.action?.label).toBe('Undo');
    expect(flow.undo.size, 'Ctrl+Z can take it back').toBe(1);
  });

  it('Ctrl+Z brings the series back by the single appointment, and focuses its master', async () => {
    const { flow, calls } = fixture();
    flow.madeSingle(made);
    calls.length = 0;
    await flow.undoLast();
    expect(calls[0], 'the series is restored from the appointment it became').toBe('restoreSeries one');
    expect(calls).toContain('toast Series restored');
    expect(flow.focusNext, 'the series is focused by its master').toBe('series');
    expect(flow.undo.size).toBe(0);
  });

  it("the toast's Undo does the same, and Ctrl+Z then has nothing left of it", async () => {
    const { flow, calls, toasts } = fixture();
    flow.madeSingle(made);
    calls.length = 0;
    toasts[toasts.length - 1]?.action?.run();
    await settle();
    expect(calls[0]).toBe('restoreSeries one');
    expect(flow.undo.size, 'the step is forgotten once taken back').toBe(0);
  });
});

describe('deleting with the Delete key', () => {
  it('deletes a single appointment, focuses its neighbour, and offers Undo', async () => {
    const { flow, calls, toasts } = fixture();
    await flow.deleteByKey('single', 'next-card');
    expect(calls.slice(0, 4)).toEqual(['deleteAppointment single', 'unselect', 'refresh', 'pushChanges 1']);
    expect(flow.focusNext, 'the card below (or above) takes the focus').toBe('next-card');
    expect(toasts[toasts.length - 1]?.text).toBe('Appointment deleted');
    expect(flow.undo.size).toBe(1);
  });

  it("the toast's Undo restores it, focuses it and pushes it", async () => {
    const { flow, calls, toasts } = fixture();
    await flow.deleteByKey('single', 'next-card');
    calls.length = 0;
    toasts[toasts.length - 1]?.action?.run();
    await settle();
    expect(calls).toEqual(['restoreAppointment single', 'refresh', 'pushChanges 1', 'toast Appointment restored']);
    expect(flow.focusNext, 'the restored card takes the focus once drawn').toBe('single');
    expect(flow.undo.size, 'a restored deletion is no longer on the Ctrl+Z history').toBe(0);
  });

  it('refuses a read-only card with its reason and deletes nothing', async () => {
    const { flow, calls } = fixture();
    await flow.deleteByKey('locked', 'next-card');
    expect(calls).toEqual(['toast Pulled from a read-only calendar.']);
    expect(flow.focusNext).toBeNull();
    expect(flow.undo.size).toBe(0);
  });

  it('asks about an occurrence first; deleting just it is undone by its own id', async () => {
    const { flow, calls } = fixture();
    await flow.deleteByKey('occ', 'next-card');
    expect(flow.seriesQuestion).toEqual({ card: occurrence, action: 'delete', neighbour: 'next-card' });
    expect(calls, 'nothing is deleted before the answer').toEqual([]);
    await flow.answerSeries('occurrence');
    expect(calls[0]).toBe('deleteOccurrence series 2026-11-25T08:00:00Z');
    expect(flow.focusNext).toBe('next-card');
    calls.length = 0;
    await flow.undoLast();
    expect(calls[0], 'the cancelled occurrence is a row of its own').toBe('restoreAppointment occ');
  });

  it('deleting the whole series is undone by the master', async () => {
    const { flow, calls } = fixture();
    await flow.deleteByKey('occ', null);
    await flow.answerSeries('series');
    expect(calls.slice(0, 2), 'the master is read first: it names the series in the toast').toEqual([
      'getAppointment series',
      'deleteAppointment series',
    ]);
    expect(calls.find((c) => c.startsWith('toast ')), 'the toast names the series, not "Appointment deleted"').toMatch(
      /^toast Deleted the series “Weekly” \(3 occurrences\)$/,
    );
    calls.length = 0;
    await flow.undoLast();
    expect(calls[0]).toBe('restoreAppointment series');
    expect(flow.focusNext, 'the restored series is focused by the id it came back with').toBe('series');
  });

  it('a failed deletion says why and leaves focus and history alone', async () => {
    const { flow, calls } = fixture({ deleteAppointment: { code: 'Store', message: 'locked' } });
    await flow.deleteByKey('single', 'next-card');
    expect(calls).toEqual(['deleteAppointment single', 'toast locked']);
    expect(flow.focusNext).toBeNull();
    expect(flow.undo.size).toBe(0);
  });
});

describe("a series' change of times", () => {
  const edit = (undo: number | null, reset: number) => ({ record: master, exceptions_reset: reset > 0, reset_occurrences: reset, undo });

  it('says how many changed occurrences went back, and Ctrl+Z brings them back with the series', async () => {
    const { flow, calls } = fixture();
    flow.saved(master, edit(4, 2));
    expect(calls, 'the planner is told, with Undo').toContain('toast 2 changed occurrences went back to the pattern');
    calls.length = 0;
    await flow.undoLast();
    expect(calls).toEqual(['undoSeriesEdit series 4', 'refresh', 'pushChanges 1', 'toast Restored the series “Weekly” and its 2 changed occurrences']);
    expect(flow.undo.size, 'undone once').toBe(0);
  });

  it("the toast's Undo does the same and leaves nothing for Ctrl+Z", async () => {
    const { flow, calls, toasts } = fixture();
    flow.saved(master, edit(4, 1));
    expect(toasts[toasts.length - 1]?.text).toBe('1 changed occurrence went back to the pattern');
    calls.length = 0;
    toasts[toasts.length - 1]?.action?.run();
    await settle();
    expect(calls[0]).toBe('undoSeriesEdit series 4');
    expect(flow.undo.size).toBe(0);
  });

  it('a change of times with nothing reset is still undone by Ctrl+Z, without a toast; a change of details is not on the history', async () => {
    const { flow, calls } = fixture();
    flow.saved(master, edit(5, 0));
    expect(calls.some((c) => c.startsWith('toast')), 'nothing went back: nothing to say').toBe(false);
    expect(flow.undo.size).toBe(1);
    flow.saved(master, edit(null, 0));
    flow.saved(single);
    expect(flow.undo.size, 'only the change of times can be taken back').toBe(1);
  });

  it('a refused undo says why', async () => {
    const { flow, calls } = fixture({ undoSeriesEdit: { code: 'InvalidInput', message: 'The times of “Weekly” changed again since; change them back in the series.' } });
    flow.saved(master, edit(4, 2));
    calls.length = 0;
    await flow.undoLast();
    expect(calls).toEqual(['undoSeriesEdit series 4', 'toast The times of “Weekly” changed again since; change them back in the series.']);
  });
});

describe('Ctrl+Z and the focus', () => {
  it('does nothing with an empty history', async () => {
    const { flow, calls } = fixture();
    await flow.undoLast();
    expect(calls).toEqual([]);
  });

  it('a failed undo says why and focuses nothing', async () => {
    const { flow, calls } = fixture({ restoreAppointment: { code: 'Store', message: 'no such row' } });
    flow.deleted(single);
    calls.length = 0;
    await flow.undoLast();
    expect(calls).toEqual(['restoreAppointment single', 'toast no such row']);
    expect(flow.focusNext).toBeNull();
  });

  it('hands the focus to the card asked for once, and to no other', () => {
    const { flow } = fixture();
    flow.focusNext = 'a';
    expect(flow.takesFocus('b')).toBe(false);
    expect(flow.takesFocus('a')).toBe(true);
    expect(flow.takesFocus('a'), 'a card drawn again later keeps the focus where the planner put it').toBe(false);
  });
});

describe('moving by drag', () => {
  const timed = { allDay: false, start: '2026-11-26T14:00:00', end: '2026-11-26T15:30:00' };

  it('saves the new times in minutes in the planner zone, and nothing else', () => {
    expect(movePatch(timed, null, 'Europe/Berlin')).toEqual({
      resource_id: null,
      title: null,
      all_day: false,
      start: '2026-11-26T14:00',
      end: '2026-11-26T15:30',
      time_zone: 'Europe/Berlin',
      location: null,
      notes: null,
      categories: null,
      show_as: null,
      sensitivity: null,
    });
  });

  it('saves an all-day move as dates without a zone', () => {
    const patch = movePatch({ allDay: true, start: '2026-11-26T00:00:00', end: '2026-11-28T00:00:00' }, 3, 'Europe/Berlin');
    expect([patch.all_day, patch.start, patch.end, patch.time_zone, patch.resource_id]).toEqual([true, '2026-11-26', '2026-11-28', null, 3]);
  });

  it('moves a single appointment by its edit, waits for the range, and Ctrl+Z puts it back', async () => {
    const fixtureState = fixture();
    const { flow, calls } = fixtureState;
    const { patches } = fixtureState;
    await flow.move('single', 2, timed, () => calls.push('revert'));
    expect(calls).toEqual(['editAppointment single [object Object]', 'pushChanges 1', 'refresh']);
    expect(patches[0].resource_id).toBe(2);
    calls.length = 0;
    await flow.undoLast();
    expect(calls[0], 'undo edits it back, not restores it').toBe('editAppointment single [object Object]');
    expect(
      [patches[1].start, patches[1].resource_id],
      'undo puts back the times and the resource the card had before the drag',
    ).toEqual([single.start, single.resource_id]);
    expect(calls).toContain('toast Move undone');
    expect(flow.focusNext).toBe('single');
  });

  it('moves just the occurrence of a series, by its series and original start', async () => {
    const { flow, calls } = fixture();
    await flow.move('occ', null, timed, () => calls.push('revert'));
    expect(calls[0]).toBe('editOccurrence series 2026-11-25T08:00:00Z [object Object]');
  });

  it('on the timeline, saves the resource only when the card changed row', async () => {
    const { flow, patches } = fixture();
    await flow.moveOnTimeline('single', { resourceId: 1, ...timed });
    await flow.moveOnTimeline('single', { resourceId: 4, ...timed });
    expect(
      patches.map((p) => p.resource_id),
      'the same row keeps the resource; another row moves it',
    ).toEqual([null, 4]);
  });

  it('a refused move puts the card back, says why and adds nothing to undo', async () => {
    const { flow, calls } = fixture({ editAppointment: { code: 'Validation', message: 'ends before it starts' } });
    await flow.move('single', null, timed, () => calls.push('revert'));
    expect(calls).toEqual(['editAppointment single [object Object]', 'revert', 'toast ends before it starts']);
    expect(flow.undo.size).toBe(0);
  });
});
