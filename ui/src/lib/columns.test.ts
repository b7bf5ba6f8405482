import { describe, expect, it } from 'vitest';
import { MANY_RESOURCES, cardOnAnotherPage, pageHolding, pageLabel, resourcesPerPage } from './columns';

describe('resourcesPerPage', () => {
  it('Day: draws every resource up to MANY_RESOURCES, however narrow the window', () => {
    expect(resourcesPerPage(5, 1196, 1), 'the demo: all five').toBe(5);
    expect(resourcesPerPage(MANY_RESOURCES, 300, 1), 'at the limit: all of them').toBe(MANY_RESOURCES);
  });
  it.each([
    // [resources, grid width (window less padding and time axis), per page, why]
    [5, 1196, 1, 'the demo on a 1280 px window: one week of 7 × 170 px, not 35 columns of 33 px'],
    [5, 1260, 2, 'two weeks of 7 × 90 px fit exactly'],
    [5, 1259, 1, 'a pixel less and the second one pages'],
    [5, 3200, 5, 'a wide screen: all five'],
    [1, 400, 1, 'one resource: itself, however narrow'],
    [MANY_RESOURCES, 1196, 1, 'no longer every resource up to MANY_RESOURCES'],
    [100, 2600, 4, 'many: as many as fit'],
  ])('Week: %i resources in %i px draw %i a page (%s)', (shown, width, perPage) => {
    expect(resourcesPerPage(shown, width, 7)).toBe(perPage);
  });
  it('Day with more than MANY_RESOURCES: as many as fit at a readable width', () => {
    expect(resourcesPerPage(100, 1300, 1), 'Day: 120 px a column').toBe(10);
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
  expect(pageLabel({ first: 1, count: 1, total: 5 }), 'a page of one resource: no "2–2"').toBe('Resource 2 of 5');
});

describe('cardOnAnotherPage', () => {
  const shown = [1, 2, 3, 4, 5, 6, 7];
  const card = (id: string, resource_id: number, start: string) => ({ id, resource_id, start });
  const cards = [
    card('a', 1, '2026-12-07T09:00:00Z'),
    card('e-late', 5, '2026-12-07T15:00:00Z'),
    card('e-early', 5, '2026-12-07T08:00:00Z'),
    card('g', 7, '2026-12-07'),
  ];
  it("ArrowRight: the earliest card of the next resource that has one, past the page's edge", () => {
    // Page 3–4 (indexes 2, 3): resource 5 (index 4) is the first beyond with cards.
    expect(cardOnAnotherPage(shown, { first: 2, count: 2, total: 7 }, 1, cards)).toEqual({ index: 4, id: 'e-early' });
  });
  it('skips resources without cards, over several pages', () => {
    expect(cardOnAnotherPage(shown, { first: 0, count: 2, total: 7 }, 1, [cards[3]])).toEqual({ index: 6, id: 'g' });
  });
  it('ArrowLeft: the nearest resource before the page', () => {
    expect(cardOnAnotherPage(shown, { first: 5, count: 2, total: 7 }, -1, cards)).toEqual({ index: 4, id: 'e-early' });
    expect(cardOnAnotherPage(shown, { first: 2, count: 2, total: 7 }, -1, cards)).toEqual({ index: 0, id: 'a' });
  });
  it('null with no page that way, or no card on the pages that way', () => {
    expect(cardOnAnotherPage(shown, { first: 0, count: 7, total: 7 }, 1, cards), 'one page: all shown').toBeNull();
    expect(cardOnAnotherPage(shown, { first: 0, count: 2, total: 7 }, -1, cards), 'the first page').toBeNull();
    expect(cardOnAnotherPage(shown, { first: 0, count: 2, total: 7 }, 1, [cards[0]]), 'cards only behind').toBeNull();
  });
});
