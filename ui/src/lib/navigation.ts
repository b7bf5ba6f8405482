// Finding one's way in the Scheduler: which resources are shown, searching the visible range by
// subject, moving between cards with the arrow keys and the zones the times can be shown in. Pure,
// so the Scheduler only wires it to the DOM.
import { formatInstant } from './format';
// The day in the zone from its parts: WebKit writes en-CA's dates 12/09/2026, not 2026-12-09.
import { datePart, wallTimeAt } from './time';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { spanOf } from './conflicts';

/** The resources to show, in the order given (the planner's own first), without the hidden ones. */
export function shownResources(resources: readonly Resource[], hidden: ReadonlySet<ResourceId>): Resource[] {
  return resources.filter((r) => !hidden.has(r.id));
}

/** The hidden resources remembered from last time; nonsense or unknown ids are dropped. */
export function rememberedHidden(stored: string | null | undefined, resources: readonly Resource[]): Set<ResourceId> {
  const known = new Set(resources.map((r) => r.id));
  try {
    const parsed: unknown = JSON.parse(stored ?? '[]');
    if (!Array.isArray(parsed)) return new Set();
    return new Set(parsed.filter((id): id is number => typeof id === 'number' && known.has(id)));
  } catch {
    return new Set();
  }
}

export interface SearchHit {
  id: string;
  title: string;
  resource: string;
  /** "Wed 25 Nov, 09:00" (or "Wed 25 Nov, all day") in the display zone. */
  when: string;
  /** The day it starts (YYYY-MM-DD, display zone), to go to. */
  date: string;
}

/**
 * Appointments of the visible range whose subject contains `query` (any case, accents ignored),
 * earliest first. The records are what the planner may see: another resource's private ones are
 * found only as "Private".
 */
export function searchAppointments(
  records: Iterable<AppointmentCard>,
  query: string,
  resources: ReadonlyMap<ResourceId, Resource>,
  zone: string,
  limit = 50,
): SearchHit[] {
  const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
  const wanted = fold(query.trim());
  if (!wanted) return [];
  const found = [...records]
    .filter((r) => fold(r.title).includes(wanted))
    .map((r) => ({ record: r, start: spanOf(r, zone).start }))
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.record.title.localeCompare(b.record.title));
  return found.slice(0, limit).map(({ record, start }) => ({
    id: record.id,
    title: record.title,
    resource: resources.get(record.resource_id)?.name ?? `Resource ${record.resource_id}`,
    when: whenText(start, zone, record.all_day),
    date: record.all_day ? record.start.slice(0, 10) : datePart(wallTimeAt(start, zone)),
  }));
}

/** "Wed 25 Nov, 14:00" or "Tue 24 Nov, all day" in the window's format (lib/format). */
function whenText(start: Date, zone: string, allDay: boolean): string {
  const at = formatInstant(start, zone);
  return `${at.day}, ${allDay ? 'all day' : at.time}`;
}

/** A card on screen: its appointment and its box (client coordinates). */
export interface CardBox {
  id: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export type ArrowKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';
export const ARROW_KEYS: readonly string[] = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'];

/**
 * The card the arrow key moves to from `from`: the nearest card whose centre lies that way,
 * preferring cards in line (same column for Up/Down, same row for Left/Right). With nothing
 * focused yet, the first card (top left). Null when there is no card that way.
 */
export function nextCard(cards: readonly CardBox[], from: string | null, key: ArrowKey): string | null {
  const centre = (c: CardBox) => ({ x: c.left + c.width / 2, y: c.top + c.height / 2 });
  const current = cards.find((c) => c.id === from);
  if (!current) {
    const first = [...cards].sort((a, b) => a.left - b.left || a.top - b.top)[0];
    return first?.id ?? null;
  }
  const here = centre(current);
  const vertical = key === 'ArrowUp' || key === 'ArrowDown';
  const sign = key === 'ArrowDown' || key === 'ArrowRight' ? 1 : -1;
  let best: { id: string; score: number } | null = null;
  for (const card of cards) {
    if (card.id === current.id) continue;
    const c = centre(card);
    const along = (vertical ? c.y - here.y : c.x - here.x) * sign;
    const across = Math.abs(vertical ? c.x - here.x : c.y - here.y);
    // Cards that start further that way, even if they overlap the current one.
    const ahead = along > 0.5 || (along >= -0.5 && (vertical ? card.top - current.top : card.left - current.left) * sign > 0);
    if (!ahead) continue;
    // Being out of line costs more than being far: a column's next card before a neighbour's.
    const inLine = vertical
      ? card.left < current.left + current.width && card.left + card.width > current.left
      : card.top < current.top + current.height && card.top + card.height > current.top;
    const score = (inLine ? 0 : 100000) + Math.max(along, 0) + across * 3;
    if (!best || score < best.score) best = { id: card.id, score };
  }
  return best?.id ?? null;
}

/**
 * The zones offered for showing times: every IANA zone the platform knows, with the machine's
 * and the current choice always present, the machine's first.
 */
export function zoneChoices(machine: string, current: string, known: readonly string[]): string[] {
  const rest = new Set(known);
  rest.add(current);
  rest.delete(machine);
  return [machine, ...[...rest].sort()];
}

/** The platform's IANA zones (empty where the engine cannot list them). */
export function platformZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}
