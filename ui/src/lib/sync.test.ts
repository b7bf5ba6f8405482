import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../bindings/ErrorCode';
import type { SyncSummary } from '../bindings/SyncSummary';
import { massDeleteQuestion, progressText, summaryErrors, summaryText, uploadFailure } from './sync';

const summary = (over: Partial<SyncSummary> = {}): SyncSummary => ({
  account_id: 1,
  email: 'megan.bowen@contoso.example',
  added: 12,
  updated: 1,
  deleted: 0,
  conflicts: 0,
  conflict_notes: [],
  errors: [],
  requests: 3,
  mass_delete_blocked: null,
  dry_run: false,
  preview: [],
  undo: [],
  ...over,
});

describe('sync in words', () => {
  it('says which calendar of how many and the events so far', () => {
    expect(
      progressText({ account_id: 1, email: 'm@contoso.example', calendar: 2, calendars: 3, calendar_name: 'Projects', events: 40 }),
    ).toBe('m@contoso.example: calendar 2 of 3 (Projects), 40 events so far');
    expect(progressText({ account_id: 1, email: 'm@contoso.example', calendar: 0, calendars: 3, calendar_name: '', events: 0 })).toBe(
      'm@contoso.example: uploading changes…',
    );
  });

  it('sums an account up in plain words', () => {
    expect(summaryText(summary())).toBe('megan.bowen@contoso.example: 12 added, 1 updated, 0 deleted, no conflicts, no errors.');
    expect(summaryText(summary({ conflicts: 1, errors: ['Microsoft 365 is busy.', 'x'] }))).toBe(
      'megan.bowen@contoso.example: 12 added, 1 updated, 0 deleted, 1 conflict, 2 errors.',
    );
    expect(summaryErrors([summary({ errors: ['Microsoft 365 is busy.'] })])).toEqual([
      'megan.bowen@contoso.example: Microsoft 365 is busy.',
    ]);
  });

  it('asks before a mass deletion, and only then', () => {
    expect(massDeleteQuestion(summary())).toBeNull();
    expect(massDeleteQuestion(summary({ mass_delete_blocked: { would_delete: 30, pulled: 40 } }))).toBe(
      'This sync would delete 30 of 40 appointments pulled from megan.bowen@contoso.example. Delete them?',
    );
  });
});

describe('an upload that went wrong', () => {
  it('is told in the Scheduler with every error, and that the change waits', () => {
    const failed = summary({ errors: ['Throttled'] });
    expect(uploadFailure({ cause: 'upload', summaries: [failed], error: { code: ErrorCode.Network, message: 'Offline.' } })).toBe(
      'Not yet in Outlook: megan.bowen@contoso.example: Throttled Offline. The change waits and goes with the next sync.',
    );
  });

  it('says nothing after a clean upload, or after any other sync (those speak for themselves)', () => {
    expect(uploadFailure({ cause: 'upload', summaries: [summary()], error: null })).toBeNull();
    expect(uploadFailure({ cause: 'manual', summaries: [summary({ errors: ['Throttled'] })], error: null })).toBeNull();
  });
});
