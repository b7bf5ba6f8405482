import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../bindings/ChangeRecord';
import type { JournalRun } from '../bindings/JournalRun';
import {
  counts,
  duration,
  historyLine,
  onOpenAppointment,
  openAppointment,
  runLine,
  runsByAccount,
  targetOf,
  whatChanged,
  type AppointmentTarget,
} from './activity';

const ZONE = 'Europe/Berlin';

function run(over: Partial<JournalRun> = {}): JournalRun {
  return {
    id: 7,
    account_id: 1,
    email: 'megan.bowen@contoso.example',
    trigger: 'manual',
    started_at: '2026-12-07T09:02:00Z',
    finished_at: '2026-12-07T09:02:03.400Z',
    outcome: 'succeeded',
    error: null,
    created: 1,
    updated: 2,
    deleted: 0,
    conflicts: 0,
    undoes_run: null,
    ...over,
  };
}

function change(over: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    id: 1,
    run_id: 7,
    at: '2026-12-07T09:02:01Z',
    appointment_id: 'a1',
    series_id: null,
    original_start: null,
    resource_id: 3,
    side: 'quick3',
    kind: 'updated',
    cause: 'outlook_changed',
    account_id: 1,
    calendar_id: 'c1',
    title: 'Visit',
    private: false,
    start: '2026-12-09T10:00:00+01:00',
    end: '2026-12-09T11:00:00+01:00',
    all_day: false,
    fields: [],
    undone_by: null,
    ...over,
  };
}

const moved = [
  { field: 'start', before: '2026-12-09T09:00:00+01:00', after: '2026-12-09T10:00:00+01:00' },
  { field: 'end', before: '2026-12-09T10:00:00+01:00', after: '2026-12-09T11:00:00+01:00' },
];

describe('a run in Activity', () => {
  it('says when, how long, what started it and its counts per kind', () => {
    expect(runLine(run(), ZONE)).toEqual({
      when: 'Mon 7 Dec, 10:02',
      took: '3.4 s',
      counts: '1 created · 2 updated',
      trigger: 'Sync Calendar',
      problem: null,
    });
  });

  it('names what went wrong, and a run that never finished', () => {
    expect(runLine(run({ outcome: 'failed', error: 'Megan needs to sign in again.' }), ZONE).problem).toBe(
      'Megan needs to sign in again.',
    );
    expect(runLine(run({ outcome: 'mass_delete_blocked' }), ZONE).problem).toBe('Deletions held back');
    expect(runLine(run({ outcome: null, finished_at: null }), ZONE).problem).toBe('Did not finish');
    expect(duration(run({ finished_at: null }))).toBe('did not finish');
  });

  it('counts only the kinds it has, and says so when it changed nothing', () => {
    expect(counts(run({ created: 0, updated: 0, deleted: 3, conflicts: 1 }))).toBe('3 deleted · 1 conflict');
    expect(counts(run({ created: 0, updated: 0 }))).toBe('no changes');
  });

  it('reads a run of a few milliseconds as under a tenth, long runs in minutes', () => {
    expect(duration(run({ finished_at: '2026-12-07T09:02:00.040Z' }))).toBe('< 0.1 s');
    expect(duration(run({ finished_at: '2026-12-07T09:04:05Z' }))).toBe('2 min 5 s');
  });

  it('groups runs per account, newest first', () => {
    const groups = runsByAccount([
      run({ id: 1 }),
      run({ id: 3, email: 'adele@contoso.example' }),
      run({ id: 2 }),
    ]);
    expect(groups.map((g) => [g.email, g.runs.map((r) => r.id)])).toEqual([
      ['adele@contoso.example', [3]],
      ['megan.bowen@contoso.example', [2, 1]],
    ]);
  });
});

describe('a change in words', () => {
  it('reads a move as the issue says: "Moved 09:00 → 10:00 from Outlook, 10:02"', () => {
    expect(historyLine(change({ fields: moved }), ZONE)).toBe('Moved 09:00 → 10:00 from Outlook, 10:02');
  });

  it('names the day when a move crosses days', () => {
    const fields = [{ field: 'start', before: '2026-12-09T09:00:00+01:00', after: '2026-12-10T09:00:00+01:00' }];
    expect(whatChanged(change({ fields }), ZONE)).toBe('Moved Wed 9 Dec, 09:00 → Thu 10 Dec, 09:00');
  });

  it('names a new subject and the other fields changed', () => {
    const fields = [
      { field: 'subject', before: 'Visit', after: 'Site visit' },
      { field: 'location', before: '', after: 'Room 1' },
    ];
    expect(whatChanged(change({ fields }), ZONE)).toBe('Subject “Visit” → “Site visit”, location changed');
  });

  it('says created and deleted, and where an upload went', () => {
    expect(historyLine(change({ kind: 'created', side: 'outlook', cause: 'quick3_changed' }), ZONE)).toBe(
      'Created to Outlook, 10:02',
    );
    expect(historyLine(change({ kind: 'deleted', cause: 'mass_deletion_allowed' }), ZONE)).toBe(
      'Deleted from Outlook (mass deletion allowed), 10:02',
    );
  });
});

describe('opening a change in the Scheduler', () => {
  it('goes to the day it starts in the display zone; a deleted one has nowhere to go', () => {
    expect(targetOf(change({ start: '2026-12-09T23:30:00Z' }), ZONE)).toEqual({
      id: 'a1',
      date: '2026-12-10',
      resourceId: 3,
    });
    expect(targetOf(change({ start: '2026-12-09', all_day: true }), ZONE)?.date).toBe('2026-12-09');
    expect(targetOf(change({ kind: 'deleted' }), ZONE)).toBeNull();
  });

  it('reaches every listener until it stops listening', () => {
    const heard: AppointmentTarget[] = [];
    const stop = onOpenAppointment((t) => heard.push(t));
    openAppointment({ id: 'a1', date: '2026-12-09', resourceId: 3 });
    stop();
    openAppointment({ id: 'a2', date: '2026-12-10', resourceId: 3 });
    expect(heard.map((t) => t.id)).toEqual(['a1']);
  });
});
