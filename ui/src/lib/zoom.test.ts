import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ZOOM,
  hourWidthFor,
  hoursChosen,
  MAX_HOUR_WIDTH,
  MIN_HOUR_WIDTH,
  mondaysOf,
  rememberedZoom,
  spanLength,
  spanStart,
  stepSpan,
  zoomed,
  ZOOM_FACTORS,
  zoomToRemember,
  type SpanId,
} from './zoom';
import { daysFrom } from './timeline';

describe('timeline spans', () => {
  // 2026-12-09 is a Wednesday.
  it.each<[SpanId, string, string, number, string, string]>([
    ['day', '2026-12-09', '2026-12-09', 1, '2026-12-08', '2026-12-10'],
    ['workweek', '2026-12-09', '2026-12-07', 5, '2026-11-30', '2026-12-14'],
    ['week', '2026-12-09', '2026-12-07', 7, '2026-11-30', '2026-12-14'],
    ['twoweeks', '2026-12-09', '2026-12-07', 14, '2026-11-23', '2026-12-21'],
    ['month', '2026-12-09', '2026-12-01', 31, '2026-11-01', '2027-01-01'],
    ['month', '2028-02-15', '2028-02-01', 29, '2028-01-01', '2028-03-01'],
  ])('%s holding %s starts %s, has %i days, steps to %s and %s', (span, date, start, length, before, after) => {
    expect(spanStart(span, date)).toBe(start);
    expect(spanLength(span, start)).toBe(length);
    expect(stepSpan(span, start, -1)).toBe(before);
    expect(stepSpan(span, start, 1)).toBe(after);
  });

  it('loads the weeks a span touches, each once', () => {
    expect(mondaysOf(daysFrom('2026-12-01', 31))).toEqual(['2026-11-30', '2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28']);
    expect(mondaysOf(daysFrom('2026-12-07', 5))).toEqual(['2026-12-07']);
    expect(mondaysOf(['2026-12-09'])).toEqual(['2026-12-07']);
  });
});

describe('hour width', () => {
  // The Timeline at 1280×820: about 1000 px for the grid once the names (200 px) are left out.
  it.each<[string, number, number, number, number, number]>([
    ['a week of 07–19 fits 840 px', 840, 7, 12, 0, 10],
    ['a work week of 07–19 fits 840 px', 840, 5, 12, 0, 14],
    ['a day of 07–19 fits 840 px', 840, 1, 12, 0, 70],
    ['zoomed in one step is 1.5 × fit', 840, 7, 12, 1, 15],
    ['zoomed in two steps is 2 × fit', 840, 7, 12, 2, 20],
    ['steps beyond the last use the last', 840, 7, 12, 99, 80],
    ['a month of 24 hours is never below the minimum', 300, 31, 24, 0, MIN_HOUR_WIDTH],
    ['a day zoomed far is never beyond the maximum', 2000, 1, 1, 6, MAX_HOUR_WIDTH],
    ['no width yet still draws', 0, 7, 12, 0, MIN_HOUR_WIDTH],
  ])('%s', (_, width, days, hours, step, expected) => {
    expect(hourWidthFor(width, days, hours, step)).toBeCloseTo(expected, 5);
  });

  it('fits the whole span: days × hours × width never exceeds the room', () => {
    for (const width of [613, 840, 1077, 1913])
      for (const days of [1, 5, 7, 14, 31])
        for (const hours of [8, 12, 13, 24]) {
          const w = hourWidthFor(width, days, hours);
          if (w > MIN_HOUR_WIDTH) expect(w * days * hours, `${width}/${days}/${hours}`).toBeLessThanOrEqual(width);
        }
  });

  it('zooms in and out by one step, within the steps there are', () => {
    expect(zoomed(0, 1)).toBe(1);
    expect(zoomed(1, -1)).toBe(0);
    expect(zoomed(0, -1)).toBe(0);
    expect(zoomed(ZOOM_FACTORS.length - 1, 1)).toBe(ZOOM_FACTORS.length - 1);
  });
});

describe('remembered zoom', () => {
  it.each<[string, string | null, object]>([
    ['nothing stored: the week, 07–19, fit', null, DEFAULT_ZOOM],
    ['not JSON', '{oops', DEFAULT_ZOOM],
    ['a stored choice', '{"span":"month","first":6,"last":22,"step":2}', { span: 'month', first: 6, last: 22, step: 2 }],
    ['an unknown span', '{"span":"year","first":6,"last":22,"step":0}', { span: 'week', first: 6, last: 22, step: 0 }],
    ['hours out of order', '{"span":"day","first":19,"last":7,"step":0}', { span: 'day', first: 7, last: 19, step: 0 }],
    ['hours out of range', '{"span":"day","first":-1,"last":25,"step":0}', { span: 'day', first: 7, last: 19, step: 0 }],
    ['a step out of range', '{"span":"day","first":7,"last":19,"step":40}', { span: 'day', first: 7, last: 19, step: 0 }],
  ])('%s', (_, stored, expected) => {
    expect(rememberedZoom(stored)).toEqual(expected);
  });
});

describe('a grid at another hour width', () => {
  it('keeps its days and hours and scales its widths', async () => {
    const { gridFor, withHourWidth } = await import('./timeline');
    const grid = withHourWidth(gridFor(daysFrom('2026-12-07', 5), [], { first: 7, last: 19 }, 1), 14);
    expect(grid).toMatchObject({ firstHour: 7, lastHour: 19, hourWidth: 14, dayWidth: 168, width: 840 });
  });
});

describe('the working day as the default hours', () => {
  it('takes the working day when no hours were chosen, the chosen ones else', () => {
    const working = { first: 6, last: 15 };
    expect(rememberedZoom(null, working)).toEqual({ ...DEFAULT_ZOOM, first: 6, last: 15 });
    expect(rememberedZoom(JSON.stringify({ span: 'day', step: 1 }), working)).toEqual({ span: 'day', first: 6, last: 15, step: 1 });
    expect(rememberedZoom(JSON.stringify({ span: 'day', first: 8, last: 18, step: 1 }), working)).toEqual({ span: 'day', first: 8, last: 18, step: 1 });
    expect(rememberedZoom(null, null), 'no working hours: 07–19').toEqual(DEFAULT_ZOOM);
  });

  it('remembers hours only when the planner chose them', () => {
    const zoom = { span: 'week' as const, first: 6, last: 15, step: 0 };
    expect(hoursChosen(zoomToRemember(zoom, false))).toBe(false);
    expect(hoursChosen(zoomToRemember(zoom, true))).toBe(true);
    expect(hoursChosen('not json')).toBe(false);
  });
});
