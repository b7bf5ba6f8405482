import { describe, expect, it } from 'vitest';
import type { CalendarChoice } from '../bindings/CalendarChoice';
import { calendarChanges } from './calendars';

const calendar = (id: string, name: string, selected: boolean): CalendarChoice => ({
  calendar_id: id,
  name,
  is_default: id === 'c1',
  selected,
  last_full_sync: null,
});

describe('calendarChanges', () => {
  const calendars = [calendar('c1', 'Calendar', true), calendar('c2', 'Projects', true), calendar('c3', 'Travel', false)];

  it('names the calendars switched off and on', () => {
    expect(calendarChanges(calendars, { c1: true, c2: false, c3: true })).toEqual({
      off: ['Projects'],
      on: ['Travel'],
      any: true,
    });
  });

  it('sees no change when the ticks are as stored', () => {
    expect(calendarChanges(calendars, { c1: true, c2: true, c3: false })).toEqual({ off: [], on: [], any: false });
  });
});
