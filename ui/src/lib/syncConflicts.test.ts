import { describe, expect, it } from 'vitest';
import type { ConflictOutcome } from '../bindings/ConflictOutcome';
import type { ConflictRecord } from '../bindings/ConflictRecord';
import type { ConflictVersion } from '../bindings/ConflictVersion';
import { afterResolve, conflictById, conflictRows, KEEP_CHOICES, versionTime } from './syncConflicts';

const ZONE = 'Europe/Berlin';

function version(over: Partial<ConflictVersion>): ConflictVersion {
  return {
    title: 'Visit',
    all_day: false,
    start: '2026-12-14T09:00:00+01:00',
    end: '2026-12-14T10:00:00+01:00',
    time_zone: ZONE,
    location: '',
    notes: '',
    categories: [],
    show_as: 'busy',
    sensitivity: 'normal',
    recurrence: null,
    repeat: null,
    ...over,
  };
}

function conflict(over: Partial<ConflictRecord>): ConflictRecord {
  return {
    id: 3,
    appointment_id: 'a1',
    resource_id: 1,
    series_id: null,
    account: 'megan.bowen@contoso.example',
    detected_at: '2026-12-07T08:00:00Z',
    fields: ['subject', 'location'],
    quick3: version({ title: 'Visit (Quick3)' }),
    outlook: version({ title: 'Visit (Outlook)', location: 'Atlas' }),
    ...over,
  };
}

describe('the comparison', () => {
  it('shows every field side by side and marks only those the core found different', () => {
    const rows = conflictRows(conflict({}), ZONE);
    expect(rows.map((r) => [r.label, r.quick3, r.outlook, r.differs])).toEqual([
      ['Subject', 'Visit (Quick3)', 'Visit (Outlook)', true],
      ['Time', 'Mon, 14 Dec 2026, 09:00 – 10:00', 'Mon, 14 Dec 2026, 09:00 – 10:00', false],
      ['Location', '', 'Atlas', true],
      ['Notes', '', '', false],
      ['Show as', 'Busy', 'Busy', false],
    ]);
  });

  it("shows a series' pattern beside its fields, marked when the patterns differ", () => {
    const rows = conflictRows(
      conflict({
        fields: ['subject', 'pattern'],
        quick3: version({ title: 'Stand-up (Quick3)', repeat: 'Every week on Monday, 3 times' }),
        outlook: version({ title: 'Stand-up (Outlook)', repeat: 'Every week on Monday, 4 times' }),
      }),
      ZONE,
    );
    expect(rows.map((r) => r.label)).toEqual(['Subject', 'Time', 'Repeat', 'Location', 'Notes', 'Show as']);
    expect(rows.find((r) => r.field === 'pattern')).toEqual({
      field: 'pattern',
      label: 'Repeat',
      quick3: 'Every week on Monday, 3 times',
      outlook: 'Every week on Monday, 4 times',
      differs: true,
    });
  });

  it('says times in the display zone, across days, and all-day dates (end exclusive)', () => {
    expect(versionTime(version({}), 'UTC')).toBe('Mon, 14 Dec 2026, 08:00 – 09:00');
    expect(versionTime(version({ end: '2026-12-15T10:00:00+01:00' }), ZONE)).toBe('Mon, 14 Dec 2026, 09:00 – Tue, 15 Dec 2026, 10:00');
    expect(versionTime(version({ all_day: true, start: '2026-12-14', end: '2026-12-15', time_zone: null }), ZONE)).toBe(
      'Mon, 14 Dec 2026 (all day)',
    );
    expect(versionTime(version({ all_day: true, start: '2026-12-14', end: '2026-12-17', time_zone: null }), ZONE)).toBe(
      'Mon, 14 Dec 2026 – Wed, 16 Dec 2026 (all day)',
    );
  });
});

describe('the choice', () => {
  const outcome = (over: Partial<ConflictOutcome>): ConflictOutcome => ({
    conflict: 3,
    keep: 'quick3',
    appointment_id: 'a1',
    copy_id: null,
    already: false,
    message: '“Visit” keeps Quick3 Planner’s version.',
    ...over,
  });

  it('offers the three ways, Quick3 first', () => {
    expect(KEEP_CHOICES.map((c) => c.label)).toEqual(["Keep Quick3's", "Keep Outlook's", 'Keep both']);
  });

  it("says what happened, and sends Quick3's version at once unless Outlook's was kept", () => {
    expect(afterResolve(outcome({}))).toEqual({ text: '“Visit” keeps Quick3 Planner’s version.', upload: true });
    expect(afterResolve(outcome({ keep: 'both', copy_id: 'a2' })).upload).toBe(true);
    expect(afterResolve(outcome({ keep: 'outlook' })).upload).toBe(false);
    expect(afterResolve(outcome({ already: true })).upload).toBe(false);
  });

  it('finds the conflict a card names, or none once settled elsewhere', () => {
    expect(conflictById([conflict({})], 3)?.id).toBe(3);
    expect(conflictById([conflict({})], 4)).toBeNull();
  });
});
