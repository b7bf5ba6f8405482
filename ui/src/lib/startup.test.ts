import { expect, it } from 'vitest';
import { firstRange } from './startup';

it('firstRange: the day, or the week from Monday, the first view loads; none for the month', () => {
  // Sunday 6 December 2026.
  expect(firstRange('resourceTimeGridDay', '2026-12-06')).toEqual({ start: '2026-12-06T00:00:00', end: '2026-12-07T00:00:00' });
  expect(firstRange('resourceTimeGridWeek', '2026-12-06')).toEqual({ start: '2026-11-30T00:00:00', end: '2026-12-07T00:00:00' });
  expect(firstRange('resourceTimelineWeek', '2026-12-31')).toEqual({ start: '2026-12-28T00:00:00', end: '2027-01-04T00:00:00' });
  expect(firstRange('dayGridMonth', '2026-12-06')).toBeNull();
});
