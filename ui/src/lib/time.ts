// Time zone arithmetic with the platform's Intl data only (no library): the Scheduler shows
// every appointment as wall-clock time in the planner's IANA zone, and reads the planner's
// clicks back the same way.

/** Wall-clock date and time without zone: `YYYY-MM-DDTHH:MM:SS`. */
export type WallTime = string;
/** A calendar date: `YYYY-MM-DD`. */
export type DateText = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the platform knows `zone` as an IANA time zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The browser's own zone (the machine's), used when the backend names none. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsAt(instant: Date, zone: string): Parts {
  const out: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    // Some engines still print midnight as 24 despite h23.
    hour: out.hour === 24 ? 0 : out.hour,
    minute: out.minute,
    second: out.second,
  };
}

/** Offsets (minutes) of each zone per quarter hour since 1970, as read from the platform. */
const quarterOffsets = new Map<string, Map<number, number>>();
const QUARTER_MS = 900000;

/**
 * The wall-clock time that `instant` shows in `zone`. Zones change their offset only at whole
 * quarter hours (UTC) since 1970, so the offset is read from the platform once per quarter hour
 * and zone (Intl is slow enough to matter for a week of a thousand cards); earlier instants
 * (local mean times with seconds) are read directly.
 */
export function wallTimeAt(instant: Date, zone: string): WallTime {
  const ms = instant.getTime();
  if (!(ms >= 0)) {
    const p = partsAt(instant, zone);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  }
  let offsets = quarterOffsets.get(zone);
  if (!offsets || offsets.size > 100000) {
    offsets = new Map();
    quarterOffsets.set(zone, offsets);
  }
  const quarter = Math.floor(ms / QUARTER_MS);
  let offset = offsets.get(quarter);
  if (offset === undefined) {
    offset = offsetMinutesAt(new Date(quarter * QUARTER_MS), zone);
    offsets.set(quarter, offset);
  }
  const d = new Date(ms + offset * 60000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** The zone's offset from UTC at `instant`, in minutes (east positive). */
export function offsetMinutesAt(instant: Date, zone: string): number {
  const p = partsAt(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

/** `+01:00`, `-05:00`, `+05:30`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

function parseWall(wall: string): Parts {
  const m = WALL.exec(wall.trim());
  if (!m) throw new Error(`Not a local date and time: ${wall}`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

/**
 * The instant at which `zone` shows the wall-clock time `wall`. In the hour skipped when
 * summer time starts the result lands after the gap; in the repeated hour, on the first pass.
 */
export function instantOfWallTime(wall: string, zone: string): Date {
  const p = parseWall(wall);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // The offsets in force a day either side cover any single transition.
  const offsets = [
    offsetMinutesAt(new Date(asUtc - 86400000), zone),
    offsetMinutesAt(new Date(asUtc + 86400000), zone),
  ];
  const valid = offsets
    .map((o) => asUtc - o * 60000)
    .filter((t, i) => offsetMinutesAt(new Date(t), zone) === offsets[i]);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // A skipped wall time: read it with the offset from before the jump.
  return new Date(asUtc - Math.min(...offsets) * 60000);
}

/** RFC 3339 in UTC without fractions: `2026-11-25T08:00:00Z`. */
export function toRfc3339Utc(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Wall-clock text from a Date whose *local* fields carry the wall time (EventCalendar's callbacks). */
export function wallTimeOfLocalDate(d: Date): WallTime {
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Normalises `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or longer to `YYYY-MM-DDTHH:MM:SS`. */
export function normaliseWall(text: string): WallTime {
  const p = parseWall(text);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

export function datePart(wall: string): DateText {
  return wall.slice(0, 10);
}

/** `HH:MM` of a wall time. */
export function timePart(wall: string): string {
  return normaliseWall(wall).slice(11, 16);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: DateText, days: number): DateText {
  const p = parseWall(date);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Wall time moved by `minutes` on the clock face (no zone involved). */
export function addMinutesToWall(wall: string, minutes: number): WallTime {
  const p = parseWall(wall);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute + minutes, p.second));
  return normaliseWall(d.toISOString());
}

/** Compares two wall times or dates as text (both normalised first). */
export function compareWall(a: string, b: string): number {
  const x = normaliseWall(a);
  const y = normaliseWall(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const TIME_RE = /^\d{2}:\d{2}$/;
