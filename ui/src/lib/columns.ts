// The time grid's resource columns with many resources: a page of the columns that fit at a
// readable width, drawn instead of every resource squeezed into the window (100 columns of
// 13 px, and hundreds of ms to draw them, the first thing a planner with 100 resources saw).
import type { ResourceId } from '../bindings/ResourceId';

/** Up to this many resources shown, the Day view draws all of them, as always. */
export const MANY_RESOURCES = 20;
/** Narrowest a resource's column may be in the Day view (a card's title and time stay readable). */
export const DAY_COLUMN_PX = 120;
/**
 * Narrowest a day's column may be in the Week view (seven per resource): a card's start time and
 * the first word of its subject side by side. The five demo resources' 35 columns of 33 px on a
 * 1280 px window showed only badges and cut-off times.
 */
export const WEEK_DAY_COLUMN_PX = 90;

/**
 * How many resources a page of the time grid holds: as many as fit `width` pixels (at least one)
 * with `days` columns each. The Day view draws every one up to MANY_RESOURCES (a resource's day
 * squeezed to 60 px still shows its cards' beginnings); the Week view, with seven columns a
 * resource, shows those that fit and pages through the rest.
 */
export function resourcesPerPage(shown: number, width: number, days: number): number {
  if (days === 1 && shown <= MANY_RESOURCES) return shown;
  const column = days === 1 ? DAY_COLUMN_PX : WEEK_DAY_COLUMN_PX;
  const fit = Math.floor(Math.max(0, width) / (column * Math.max(1, days)));
  return Math.min(shown, Math.max(1, fit));
}

/** A page of resources: the first one's index, how many, of how many. */
export interface ResourcePage {
  first: number;
  count: number;
  total: number;
}

/**
 * The page holding resource `index` (pages start at multiples of `perPage`), or the last page
 * when `index` lies beyond the end (a filter hid resources).
 */
export function pageHolding(index: number, perPage: number, total: number): ResourcePage {
  if (total === 0 || perPage <= 0) return { first: 0, count: 0, total };
  const lastFirst = Math.floor((total - 1) / perPage) * perPage;
  const first = Math.min(Math.floor(Math.max(0, index) / perPage) * perPage, lastFirst);
  return { first, count: Math.min(perPage, total - first), total };
}

/** "Resources 11–20 of 100", or "Resource 2 of 5" for a page of one (the Week view on a laptop). */
export function pageLabel(page: ResourcePage): string {
  if (page.count === 1) return `Resource ${page.first + 1} of ${page.total}`;
  return `Resources ${page.first + 1}–${page.first + page.count} of ${page.total}`;
}

/** A card the arrow keys reach on another page of resources, and the resource's index. */
export interface CardAcross {
  index: number;
  id: string;
}

/**
 * Where ArrowRight (`step` 1) or ArrowLeft (-1) goes when no card lies that way on the page: the
 * earliest card of the nearest resource that way, on the pages beyond, that has one in the range
 * (`cards`); null when none has (or there is no page that way).
 */
export function cardOnAnotherPage(
  shown: readonly ResourceId[],
  page: ResourcePage,
  step: 1 | -1,
  cards: Iterable<{ id: string; resource_id: ResourceId; start: string }>,
): CardAcross | null {
  const earliest = new Map<ResourceId, { id: string; at: number }>();
  for (const card of cards) {
    const at = Date.parse(card.start);
    const known = earliest.get(card.resource_id);
    if (!known || at < known.at) earliest.set(card.resource_id, { id: card.id, at });
  }
  for (let i = step > 0 ? page.first + page.count : page.first - 1; i >= 0 && i < shown.length; i += step) {
    const card = earliest.get(shown[i]);
    if (card) return { index: i, id: card.id };
  }
  return null;
}
