import { describe, expect, it } from 'vitest';
import { MANY_RESOURCES, pageHolding, pageLabel, resourcesPerPage } from './columns';

describe('resourcesPerPage', () => {
  it('draws every resource up to MANY_RESOURCES, however narrow the window', () => {
    expect(resourcesPerPage(4, 1300, 1), 'the demo: all four').toBe(4);
    expect(resourcesPerPage(MANY_RESOURCES, 300, 7), 'at the limit: all of them').toBe(MANY_RESOURCES);
  });
  it('with more, as many as fit at a readable width', () => {
    expect(resourcesPerPage(100, 1300, 1), 'Day: 120 px a column').toBe(10);
    expect(resourcesPerPage(100, 1300, 7), 'Week: 40 px a day, 7 days a resource').toBe(4);
    expect(resourcesPerPage(100, 50, 1), 'never none').toBe(1);
    expect(resourcesPerPage(25, 10000, 1), 'never more than there are').toBe(25);
  });
});

describe('pageHolding', () => {
  it('starts pages at multiples of the page size', () => {
    expect(pageHolding(0, 10, 100)).toEqual({ first: 0, count: 10, total: 100 });
    expect(pageHolding(37, 10, 100)).toEqual({ first: 30, count: 10, total: 100 });
    expect(pageHolding(99, 10, 100)).toEqual({ first: 90, count: 10, total: 100 });
  });
  it('the last page holds what is left; beyond the end is the last page', () => {
    expect(pageHolding(24, 10, 25)).toEqual({ first: 20, count: 5, total: 25 });
    expect(pageHolding(60, 10, 25), 'a filter hid resources').toEqual({ first: 20, count: 5, total: 25 });
    expect(pageHolding(-3, 10, 25)).toEqual({ first: 0, count: 10, total: 25 });
  });
  it('an empty list is an empty page', () => {
    expect(pageHolding(5, 10, 0)).toEqual({ first: 0, count: 0, total: 0 });
  });
});

it('pageLabel counts from one', () => {
  expect(pageLabel({ first: 10, count: 10, total: 100 })).toBe('Resources 11–20 of 100');
});
