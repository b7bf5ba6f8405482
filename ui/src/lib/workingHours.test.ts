import { describe, expect, it } from 'vitest';
import { DEFAULT_SCROLL_TIME, isNonWorking, nonWorkingEvents, scrollTimeFor, workingSpan } from './workingHours';

const lab = { id: 1, hours: { start: '07:30', end: '16:00' } };
const office = { id: 2, hours: { start: '09:00', end: '17:15' } };
const anytime = { id: 3, hours: null };

describe('working hours in the Scheduler', () => {
  it('opens the Day and Week views at the earliest working start', () => {
    expect(scrollTimeFor([office, lab, anytime])).toBe('07:30');
    expect(scrollTimeFor([anytime]), 'without working hours: the default').toBe(DEFAULT_SCROLL_TIME);
  });

  it("gives the timeline the whole hours of everyone's working day", () => {
    expect(workingSpan([lab, office, anytime])).toEqual({ first: 7, last: 18 });
    expect(workingSpan([anytime]), 'none: the timeline keeps its default hours').toBeNull();
  });

  it("shades each resource's time outside its working day, day by day", () => {
    const events = nonWorkingEvents([lab, anytime], '2026-12-07T00:00:00', '2026-12-09T00:00:00');
    expect(events.map((e) => [e.resourceIds, e.start, e.end])).toEqual([
      [['1'], '2026-12-07T00:00:00', '2026-12-07T07:30:00'],
      [['1'], '2026-12-07T16:00:00', '2026-12-08T00:00:00'],
      [['1'], '2026-12-08T00:00:00', '2026-12-08T07:30:00'],
      [['1'], '2026-12-08T16:00:00', '2026-12-09T00:00:00'],
    ]);
    expect(events.every(isNonWorking), 'drawn behind the cards, never a card').toBe(true);
    expect(new Set(events.map((e) => e.id)).size, 'each has an id of its own').toBe(events.length);
  });
});
