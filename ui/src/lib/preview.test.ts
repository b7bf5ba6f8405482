import { describe, expect, it } from 'vitest';
import type { AccountPreview } from '../bindings/AccountPreview';
import type { PreviewChange } from '../bindings/PreviewChange';
import type { SyncSummary } from '../bindings/SyncSummary';
import type { UndoItem } from '../bindings/UndoItem';
import { changeLine, groupHeading, heldBack, nothingToChange, undoHeadline } from './preview';

const change = (over: Partial<PreviewChange> = {}): PreviewChange => ({
  appointment: '01a24f94-5d48-771e-94f9-4bb89d02d71e',
  name: '“Visit” (2026-12-10T09:00:00+01:00)',
  side: 'quick3',
  kind: 'updated',
  fields: [{ field: 'subject', before: 'Visit', after: 'Site visit' }],
  held_back: false,
  ...over,
});

const item = (action: UndoItem['action']): UndoItem => ({
  appointment: '01a24f94-5d48-771e-94f9-4bb89d02d71e',
  name: '“Visit” (2026-12-10T09:00:00+01:00)',
  side: 'outlook',
  kind: 'updated',
  action,
  reason: action === 'skip' ? 'its event was changed in Outlook since the run' : null,
  sentence: '',
});

const summary = (items: UndoItem[], dry_run: boolean): SyncSummary => ({
  account_id: 1,
  email: 'megan.bowen@contoso.example',
  added: 0,
  updated: 0,
  deleted: 0,
  conflicts: 0,
  conflict_notes: [],
  errors: [],
  requests: 0,
  mass_delete_blocked: null,
  dry_run,
  preview: [],
  undo: items,
});

describe('preview and undo words', () => {
  it('heads a group by kind and side, with its count', () => {
    expect(groupHeading({ side: 'outlook', kind: 'created', changes: [change(), change()] })).toBe('Created in Outlook (2)');
    expect(groupHeading({ side: 'quick3', kind: 'deleted', changes: [change()] })).toBe('Deleted in Quick3 Planner (1)');
  });

  it('names an update with its fields and marks a deletion held back', () => {
    expect(changeLine(change())).toBe('“Visit” (2026-12-10T09:00:00+01:00): subject Visit → Site visit');
    expect(changeLine(change({ kind: 'deleted', fields: [], held_back: true }))).toBe(
      '“Visit” (2026-12-10T09:00:00+01:00) (held back: a mass deletion)',
    );
  });

  it('finds the deletions the guard holds back, and an empty preview', () => {
    const preview: AccountPreview = {
      account_id: 1,
      email: 'megan.bowen@contoso.example',
      groups: [{ side: 'quick3', kind: 'deleted', changes: [change({ kind: 'deleted', held_back: true }), change({ kind: 'deleted' })] }],
      mass_delete_blocked: { would_delete: 1, pulled: 1 },
      errors: [],
    };
    expect(heldBack(preview)).toHaveLength(1);
    expect(nothingToChange([preview])).toBe(false);
    expect(nothingToChange([{ ...preview, groups: [] }])).toBe(true);
  });

  it('says what an undo does before and after, and what it cannot undo', () => {
    expect(undoHeadline(summary([item('put_back'), item('skip')], true))).toBe(
      'Undo puts back 1 appointment, in Quick3 Planner and Outlook; 1 cannot be undone (listed below).',
    );
    expect(undoHeadline(summary([item('skip')], true))).toBe('Nothing of this run can be undone (listed below).');
    expect(undoHeadline(summary([item('recreate'), item('remove')], false))).toBe('Put back 2 appointments.');
  });
});
