// Double bookings: overlapping appointments on the same resource that both block the time
// (busy, tentative, out of office), across Quick3 and Microsoft 365. Pure: the Scheduler shows
// what this returns for the visible range.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { ResourceId } from '../bindings/ResourceId';
import type { ShowAs } from '../bindings/ShowAs';
import { instantOfWallTime } from './time';

/** Show-as values that make the resource unavailable. */
const BLOCKING: ReadonlySet<ShowAs> = new Set<ShowAs>(['busy', 'tentative', 'oof']);

export interface DoubleBooking {
  resourceId: ResourceId;
  first: AppointmentCard;
  second: AppointmentCard;
  /** The overlap, as instants. */
  from: Date;
  to: Date;
}

/** The span an appointment covers; all-day dates are read as whole days in `zone`. */
export function spanOf(record: AppointmentCard, zone: string): { start: Date; end: Date } {
  if (record.all_day) {
    return {
      start: instantOfWallTime(`${record.start}T00:00`, zone),
      end: instantOfWallTime(`${record.end}T00:00`, zone),
    };
  }
  return { start: new Date(record.start), end: new Date(record.end) };
}

export function blocksTime(record: AppointmentCard): boolean {
  return BLOCKING.has(record.show_as);
}

/**
 * Every pair of blocking appointments of one resource that overlap (touching ends do not),
 * earliest first. A sweep per resource: O(n log n + pairs).
 */
export function findDoubleBookings(records: readonly AppointmentCard[], zone: string): DoubleBooking[] {
  const byResource = new Map<ResourceId, { record: AppointmentCard; start: Date; end: Date }[]>();
  for (const record of records) {
    if (!blocksTime(record)) continue;
    const span = spanOf(record, zone);
    if (span.end <= span.start) continue;
    const list = byResource.get(record.resource_id) ?? [];
    list.push({ record, ...span });
    byResource.set(record.resource_id, list);
  }
  const found: DoubleBooking[] = [];
  for (const [resourceId, list] of byResource) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
    const open: typeof list = [];
    for (const item of list) {
      // Drop what ended before this one starts.
      for (let i = open.length - 1; i >= 0; i--) {
        if (open[i].end <= item.start) open.splice(i, 1);
      }
      for (const other of open) {
        found.push({
          resourceId,
          first: other.record,
          second: item.record,
          from: item.start,
          to: new Date(Math.min(other.end.getTime(), item.end.getTime())),
        });
      }
      open.push(item);
    }
  }
  return found.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/** The ids of appointments that take part in a double booking (to flag them in the view). */
export function doubleBookedIds(bookings: readonly DoubleBooking[]): Set<string> {
  const ids = new Set<string>();
  for (const booking of bookings) {
    ids.add(booking.first.id);
    ids.add(booking.second.id);
  }
  return ids;
}
