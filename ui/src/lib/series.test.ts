import { describe, expect, it } from 'vitest';
import { dialogScope, occurrenceOf } from './series';
import { testRecord } from './test-records';

const weekly = { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'noEnd', startDate: '2026-11-23' } };

describe('dialogScope', () => {
  it('tells a new, a single, a series and one occurrence apart', () => {
    expect(dialogScope(null)).toEqual({ kind: 'new' });
    expect(dialogScope(testRecord())).toEqual({ kind: 'single' });
    expect(dialogScope(testRecord({ recurrence: weekly })), 'a Quick3 master with its pattern').toEqual({ kind: 'series' });
    expect(
      dialogScope(testRecord({ id: 's1~x', series_id: 's1', original_start: '2026-11-30T08:00:00Z' })),
      'an occurrence is named by its series and original start',
    ).toEqual({ kind: 'occurrence', seriesId: 's1', occurrence: '2026-11-30T08:00:00Z' });
  });

  it('leaves appointments from Outlook to the single-appointment edit, series or not', () => {
    const origin = { kind: 'microsoft365' as const, account_id: 1, calendar_id: 'c', remote_id: 'r' };
    expect(dialogScope(testRecord({ origin, series_id: 'm', original_start: '2026-11-30T08:00:00Z' }))).toEqual({ kind: 'pulled' });
    expect(dialogScope(testRecord({ origin }))).toEqual({ kind: 'pulled' });
  });
});

describe('occurrenceOf', () => {
  it('is null for a card that is not an occurrence of a Quick3 series', () => {
    expect(occurrenceOf(testRecord())).toBeNull();
    expect(occurrenceOf(testRecord({ series_id: 's1', original_start: null })), 'a series id alone names no occurrence').toBeNull();
  });
});
