// The time grid's resource columns with many resources: a page of the columns that fit at a
// readable width, drawn instead of every resource squeezed into the window (100 columns of
// 13 px, and hundreds of ms to draw them, the first thing a planner with 100 resources saw).

/** Up to this many resources shown, the Day and Week views draw all of them, as always. */
export const MANY_RESOURCES = 20;
/** Narrowest a resource's column may be in the Day view (a card's title and time stay readable). */
export const DAY_COLUMN_PX = 120;
/** Narrowest a day's column may be in the Week view (seven per resource). */
export const WEEK_DAY_COLUMN_PX = 40;

/**
 * How many resources a page of the time grid holds: every one up to MANY_RESOURCES, else as many
 * as fit `width` pixels (at least one) with `days` columns each.
 */
export function resourcesPerPage(shown: number, width: number, days: number): number {
  if (shown <= MANY_RESOURCES) return shown;
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

/** "Resources 11–20 of 100". */
export function pageLabel(page: ResourcePage): string {
  return `Resources ${page.first + 1}–${page.first + page.count} of ${page.total}`;
}
