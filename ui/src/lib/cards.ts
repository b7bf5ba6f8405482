// What an appointment card says: the title a planner may see, where it comes from (Quick3 or
// which Microsoft 365 account), whether it is locked or double-booked, and the card's HTML and
// accessible label. Pure, so the Scheduler only wires it to EventCalendar.
import type { AccountId } from '../bindings/AccountId';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import type { DoubleBooking } from './conflicts';
import { formatInstant, formatTimeRange } from './format';
// The day in the zone from its parts: WebKit writes en-CA's dates 12/09/2026, not 2026-12-09.
import { datePart, wallTimeAt } from './time';
import { showAsLabel } from './labels';

/**
 * Colours for Microsoft 365 accounts (Outlook's calendar hues, darkened where needed so white
 * text on them reaches 4.5:1). Accounts take them in the order they were added.
 */
export const ACCOUNT_COLOURS = ['#0f6cbd', '#b4009e', '#b9470c', '#03787c', '#7a57b0', '#3b6e04', '#c50f1f', '#8a5c00'];
/** The colour of pulled appointments whose account is gone. */
export const UNKNOWN_ACCOUNT_COLOUR = '#5b6b7f';

/**
 * An account's own colour: by its id, which grows in the order accounts are added, so the first
 * eight accounts all differ and an account keeps its colour when another one is removed.
 */
export function accountColour(id: AccountId | null): string {
  if (id === null) return UNKNOWN_ACCOUNT_COLOUR;
  const n = ACCOUNT_COLOURS.length;
  return ACCOUNT_COLOURS[(((id - 1) % n) + n) % n];
}

export interface OriginBadge {
  kind: 'quick3' | 'microsoft365';
  /** One letter on the badge: "Q" for Quick3, the e-mail's first letter for an account. */
  letter: string;
  colour: string;
  /** "Quick3" or the account's e-mail (or "Microsoft 365" when the account is gone). */
  name: string;
}

export function originBadge(record: AppointmentCard, accounts: ReadonlyMap<AccountId, string>): OriginBadge {
  if (record.origin.kind === 'quick3') return { kind: 'quick3', letter: 'Q', colour: '#1b1f24', name: 'Quick3' };
  const id = record.origin.account_id;
  const email = id === null ? undefined : accounts.get(id);
  return {
    kind: 'microsoft365',
    letter: (email?.[0] ?? 'M').toUpperCase(),
    colour: accountColour(id),
    name: email ?? 'Microsoft 365',
  };
}

/** Private and confidential appointments of other resources show as "Private", as in Outlook. */
export function isHidden(record: AppointmentCard, mine: ResourceId | null): boolean {
  return (record.sensitivity === 'private' || record.sensitivity === 'confidential') && record.resource_id !== mine;
}

/** Why another resource's private appointment opens read-only with its time only. */
export const PRIVATE_READ_ONLY = 'This is a private appointment of another resource: only its time is shown, and it cannot be changed here.';

/**
 * What the appointment dialog may show: another resource's private or confidential appointment
 * only as "Private" with its time, read-only (saving it would overwrite the real title).
 */
export function shownInDialog(record: AppointmentRecord, mine: ResourceId | null): AppointmentRecord {
  if (!isHidden(record, mine)) return record;
  return { ...record, title: 'Private', location: '', notes: '', categories: [], read_only: readOnlyReason(record, mine) ?? undefined };
}

/** Why the planner may not change or delete the appointment here, or null when it may. */
export function readOnlyReason(record: AppointmentCard, mine: ResourceId | null): string | null {
  return record.read_only ?? (isHidden(record, mine) ? PRIVATE_READ_ONLY : null);
}

export function visibleTitle(record: AppointmentCard, mine: ResourceId | null): string {
  return isHidden(record, mine) ? 'Private' : record.title;
}

/** The origin legend: Quick3 first, then each Microsoft 365 account in the order added. */
export function originLegend(accounts: ReadonlyMap<AccountId, string>): OriginBadge[] {
  const quick3: OriginBadge = { kind: 'quick3', letter: 'Q', colour: '#1b1f24', name: 'Quick3' };
  const pulled = [...accounts]
    .sort(([a], [b]) => a - b)
    .map(([id, email]): OriginBadge => ({
      kind: 'microsoft365',
      letter: (email[0] ?? 'M').toUpperCase(),
      colour: accountColour(id),
      name: email,
    }));
  return [quick3, ...pulled];
}

/** Where a change stands on its way to Outlook, as a card shows it. */
export interface UploadMark {
  kind: 'pending' | 'failed' | 'conflict';
  /** The tooltip: what is waiting, why it failed, or the conflict. */
  text: string;
}

/** The accessible name and title of a card's conflict mark. */
export const CONFLICT_MARK = 'Conflict: changed in Quick3 and in Outlook';

export function uploadMark(record: AppointmentCard): UploadMark | null {
  const upload = record.upload;
  if (!upload) return null;
  if (upload.state === 'pending') return { kind: 'pending', text: `Waiting to be sent to Outlook (${upload.account})` };
  if (upload.state === 'conflict') return { kind: 'conflict', text: `${CONFLICT_MARK} (${upload.account})` };
  return {
    kind: 'failed',
    text: `Not yet in Outlook (${upload.account}): ${upload.reason} It is tried again with the next sync.`,
  };
}

export interface Card {
  title: string;
  badge: OriginBadge;
  readOnly: string | null;
  doubleBooked: boolean;
  upload: UploadMark | null;
  /** An occurrence of a series made in Quick3, and whether it was changed on its own. */
  series: 'occurrence' | 'exception' | null;
  /** What a screen reader says and the tooltip shows. */
  label: string;
}

export function cardOf(
  record: AppointmentCard,
  ctx: { mine: ResourceId | null; accounts: ReadonlyMap<AccountId, string>; doubleBooked: ReadonlySet<string> },
): Card {
  const title = visibleTitle(record, ctx.mine);
  const badge = originBadge(record, ctx.accounts);
  const readOnly = record.read_only ?? null;
  const doubleBooked = ctx.doubleBooked.has(record.id);
  const upload = uploadMark(record);
  const series = record.series_id && record.origin.kind === 'quick3' ? (record.exception ? 'exception' : 'occurrence') : null;
  const parts = [title, showAsLabel(record.show_as), badge.kind === 'quick3' ? 'from Quick3' : `from ${badge.name}`];
  if (doubleBooked) parts.push('double booked');
  if (series === 'occurrence') parts.push('occurrence of a series');
  if (series === 'exception') parts.push('occurrence of a series, changed on its own');
  if (upload?.kind === 'pending') parts.push('waiting to be sent to Outlook');
  if (upload?.kind === 'failed') parts.push(`upload failed: ${record.upload?.state === 'failed' ? record.upload.reason : ''}`);
  if (upload?.kind === 'conflict') parts.push(CONFLICT_MARK);
  if (readOnly) parts.push(`read-only: ${readOnly}`);
  return { title, badge, readOnly, doubleBooked, upload, series, label: parts.join(', ') };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * How a card sets out its text: `full` (the Day view, the timeline, the month) puts badges and
 * title on top and the time below; `compact` (the Week view's day columns, 90–180 px) leads with
 * the start time and lets the subject wrap after it; `line` (a Week card too short for two lines,
 * `calendar.isShort`) is one line, "08:30 Dispatch briefing", cut at its end, so its start time and
 * the first word of its subject are always what shows.
 */
export type CardForm = 'full' | 'compact' | 'line';

/** The card form of an EventCalendar view, for a card that is `short` (too low for two lines) or not. */
export function cardForm(viewType: string, short = false): CardForm {
  if (viewType !== 'resourceTimeGridWeek') return 'full';
  return short ? 'line' : 'compact';
}

/** The start of EventCalendar's time text ("09:00 - 10:00" → "09:00"); all-day cards have none. */
export function startTime(timeText: string): string {
  return timeText.split(/\s*[-–]\s*/)[0]?.trim() ?? '';
}

/**
 * What hovering a card shows (its tooltip): the whole subject, its time, its resource and where
 * it comes from, then any upload state, lock reason and double booking.
 */
export function cardTooltip(card: Card, timeText: string, resource: string | null): string {
  const origin = card.badge.kind === 'quick3' ? 'From Quick3' : `From ${card.badge.name} (Microsoft 365)`;
  return [card.title, timeText || 'All day', resource, origin, card.upload?.text, card.readOnly, card.doubleBooked ? 'Double booked' : null]
    .filter(Boolean)
    .join('\n');
}

/** The card's inside: badges and title on top, the time below (or, compact, the start time first). */
export function cardHtml(card: Card, timeText: string, form: CardForm = 'full'): string {
  const b = card.badge;
  const badges = [
    `<span class="q3-badge" data-testid="card-origin" data-origin="${b.kind}" style="background:${b.colour}" title="${escapeHtml(b.name)}">${escapeHtml(b.letter)}</span>`,
  ];
  if (card.doubleBooked) badges.push('<span class="q3-flag" data-testid="card-double-booked" aria-hidden="true">!</span>');
  if (card.series === 'occurrence')
    badges.push('<span class="q3-repeats" data-testid="card-series" title="Occurrence of a series" aria-hidden="true">↻</span>');
  if (card.series === 'exception')
    badges.push(
      '<span class="q3-repeats q3-exception" data-testid="card-exception" title="Occurrence changed on its own" aria-hidden="true">↻</span>',
    );
  if (card.readOnly) badges.push('<span class="q3-lock" data-testid="card-lock" aria-hidden="true"></span>');
  if (card.upload?.kind === 'pending')
    badges.push(`<span class="q3-pending" data-testid="card-pending" title="${escapeHtml(card.upload.text)}" aria-hidden="true"></span>`);
  if (card.upload?.kind === 'failed')
    badges.push(`<span class="q3-upload-failed" data-testid="card-upload-failed" title="${escapeHtml(card.upload.text)}" aria-hidden="true">!</span>`);
  if (card.upload?.kind === 'conflict')
    badges.push(`<span class="q3-conflict" data-testid="card-conflict" role="img" aria-label="${CONFLICT_MARK}" title="${CONFLICT_MARK}">⇄</span>`);
  const time = timeText ? `<div class="q3-card-time">${escapeHtml(timeText)}</div>` : '';
  const text = `<span class="q3-card-text" data-testid="card-title">${escapeHtml(card.title)}</span>`;
  if (form === 'compact' || form === 'line') {
    const start = startTime(timeText);
    const lead = start ? `<span class="q3-card-start" data-testid="card-start">${escapeHtml(start)}</span> ` : '';
    const title = `<div class="q3-card-title">${lead}${text} ${badges.join('')}</div>`;
    // One line: its start time is on it already, the range would only push the subject off.
    if (form === 'line') return `<div class="q3-card q3-compact q3-line">${title}</div>`;
    return `<div class="q3-card q3-compact">${title}${time}</div>`;
  }
  return `<div class="q3-card"><div class="q3-card-title">${badges.join('')}<span class="q3-card-text" data-testid="card-title">${escapeHtml(card.title)}</span></div>${time}</div>`;
}

export interface DoubleBookingRow {
  key: string;
  resource: string;
  /** "Wed 25 Nov, 09:15–09:30" in the planner's zone and the window's format (lib/format). */
  when: string;
  /** The day the overlap starts (YYYY-MM-DD), to go to. */
  date: string;
  first: string;
  second: string;
}

/** "Wed 25 Nov, 09:30–10:00": the day and the span of an overlap. */
function overlapText(from: Date, to: Date, zone: string): string {
  const [a, b] = [formatInstant(from, zone), formatInstant(to, zone)];
  return `${a.day}, ${formatTimeRange(a.time24, b.time24)}`;
}

/** The double bookings as the toolbar lists them. */
export function doubleBookingRows(
  bookings: readonly DoubleBooking[],
  resources: ReadonlyMap<ResourceId, Resource>,
  zone: string,
  mine: ResourceId | null,
): DoubleBookingRow[] {
  return bookings.map((b) => ({
    key: `${b.first.id}|${b.second.id}`,
    resource: resources.get(b.resourceId)?.name ?? `Resource ${b.resourceId}`,
    when: overlapText(b.from, b.to, zone),
    date: datePart(wallTimeAt(b.from, zone)),
    first: visibleTitle(b.first, mine),
    second: visibleTitle(b.second, mine),
  }));
}
