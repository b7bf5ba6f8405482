import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import { testRecord } from './test-records';
import type { Resource } from '../bindings/Resource';
import {
  ACCOUNT_COLOURS,
  PRIVATE_READ_ONLY,
  accountColour,
  cardForm,
  cardHtml,
  cardOf,
  cardTooltip,
  doubleBookingRows,
  originBadge,
  originLegend,
  readOnlyReason,
  shownInDialog,
  startTime,
  uploadMark,
  visibleTitle,
} from './cards';
import { findDoubleBookings } from './conflicts';
import { rememberedView, textColourOn, toCalendarEvent } from './calendar';

const appt = (over: Partial<AppointmentRecord> = {}): AppointmentRecord => testRecord(over);
const pulled = (over: Partial<AppointmentRecord> = {}) =>
  appt({
    origin: { kind: 'microsoft365', account_id: 7, calendar_id: 'cal', remote_id: 'r1' },
    read_only: 'Pulled from megan.bowen@contoso.example (Down only): change it in Outlook.',
    ...over,
  });
const ZONE = 'Europe/Berlin';
const accounts = new Map([[7, 'megan.bowen@contoso.example']]);
const megan: Resource = { id: 1, name: 'Megan Bowen', email: null, kind: 'person', colour: '#2459c6', hours: null, archived: false };
const room: Resource = { id: 2, name: 'Boardroom', email: null, kind: 'room', colour: '#f2c94c', hours: null, archived: false };
const byId = new Map([[1, megan], [2, room]]);

describe('origin badge', () => {
  it('names the Microsoft 365 account by its e-mail initial, Quick3 by Q', () => {
    expect(originBadge(pulled(), accounts)).toMatchObject({ kind: 'microsoft365', letter: 'M', name: 'megan.bowen@contoso.example' });
    expect(originBadge(appt({}), accounts)).toMatchObject({ kind: 'quick3', letter: 'Q', name: 'Quick3' });
  });
  it('gives two accounts different colours and one account always the same', () => {
    const other = pulled({ origin: { kind: 'microsoft365', account_id: 8, calendar_id: 'c', remote_id: 'r' } });
    expect(originBadge(pulled(), accounts).colour).toBe(originBadge(pulled(), accounts).colour);
    expect(originBadge(other, accounts).colour).not.toBe(originBadge(pulled(), accounts).colour);
  });
});

describe('account colours', () => {
  /** WCAG contrast of white text on `hex`. */
  const contrastWithWhite = (hex: string) => {
    const n = parseInt(hex.slice(1), 16);
    const ch = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const l = 0.2126 * ch((n >> 16) & 255) + 0.7152 * ch((n >> 8) & 255) + 0.0722 * ch(n & 255);
    return 1.05 / (l + 0.05);
  };

  it('gives the first eight accounts, in the order added, eight different colours', () => {
    expect(new Set([1, 2, 3, 4, 5, 6, 7, 8].map(accountColour)).size).toBe(8);
    expect(accountColour(1)).toBe(ACCOUNT_COLOURS[0]);
    expect(accountColour(9)).toBe(accountColour(1));
  });

  it.each(ACCOUNT_COLOURS)('%s carries white text at 4.5:1 or better', (colour) => {
    expect(contrastWithWhite(colour)).toBeGreaterThanOrEqual(4.5);
    expect(textColourOn(colour)).toBe('#ffffff');
  });

  it('colours a pulled card by its account and a Quick3 card by its resource', () => {
    const event = toCalendarEvent(pulled(), byId, ZONE);
    expect(event.backgroundColor).toBe(accountColour(7));
    expect(originBadge(pulled(), accounts).colour).toBe(accountColour(7));
    expect(toCalendarEvent(appt({ resource_id: 2 }), byId, ZONE).backgroundColor).toBe('#f2c94c');
  });

  it('lists Quick3 first in the legend, then the accounts in the order added', () => {
    const legend = originLegend(new Map([[9, 'alex@contoso.example'], [7, 'megan.bowen@contoso.example']]));
    expect(legend.map((b) => [b.letter, b.name])).toEqual([
      ['Q', 'Quick3'],
      ['M', 'megan.bowen@contoso.example'],
      ['A', 'alex@contoso.example'],
    ]);
    expect(legend[1].colour).toBe(accountColour(7));
  });
});

describe('upload marks', () => {
  const ctx = { mine: 1, accounts, doubleBooked: new Set<string>() };

  it('marks a change waiting for Outlook', () => {
    const record = appt({ title: 'Review', upload: { state: 'pending', account: 'megan.bowen@contoso.example' } });
    const card = cardOf(record, ctx);
    expect(card.label).toBe('Review, Busy, from Quick3, waiting to be sent to Outlook');
    expect(cardHtml(card, '09:00')).toContain('data-testid="card-pending"');
    expect(cardHtml(card, '09:00')).not.toContain('card-upload-failed');
  });

  it('says why an upload failed, on the card and in its label', () => {
    const record = appt({
      title: 'Review',
      upload: { state: 'failed', account: 'megan.bowen@contoso.example', reason: 'Microsoft 365 is unavailable.', attempts: 2 },
    });
    expect(uploadMark(record)).toEqual({
      kind: 'failed',
      text: 'Not yet in Outlook (megan.bowen@contoso.example): Microsoft 365 is unavailable. It is tried again with the next sync.',
    });
    const card = cardOf(record, ctx);
    expect(card.label).toBe('Review, Busy, from Quick3, upload failed: Microsoft 365 is unavailable.');
    const html = cardHtml(card, '09:00');
    expect(html).toContain('data-testid="card-upload-failed"');
    expect(html).toContain('title="Not yet in Outlook (megan.bowen@contoso.example): Microsoft 365 is unavailable.');
    expect(toCalendarEvent(record, byId, ZONE, ctx).classNames).toContain('q3-uploading-failed');
  });

  it('marks a conflict with an accessible name, on the card, in its label and class', () => {
    const record = appt({ title: 'Review', upload: { state: 'conflict', account: 'megan.bowen@contoso.example', conflict: 7 } });
    expect(uploadMark(record)).toEqual({
      kind: 'conflict',
      text: 'Conflict: changed in Quick3 and in Outlook (megan.bowen@contoso.example)',
    });
    const card = cardOf(record, ctx);
    expect(card.label).toBe('Review, Busy, from Quick3, Conflict: changed in Quick3 and in Outlook');
    const html = cardHtml(card, '09:00');
    expect(html).toContain('data-testid="card-conflict"');
    expect(html).toContain('aria-label="Conflict: changed in Quick3 and in Outlook"');
    expect(html).not.toMatch(/card-pending|card-upload-failed/);
    expect(toCalendarEvent(record, byId, ZONE, ctx).classNames).toContain('q3-uploading-conflict');
  });

  it('shows nothing when nothing waits', () => {
    expect(uploadMark(appt({}))).toBeNull();
    expect(cardHtml(cardOf(appt({}), ctx), '')).not.toMatch(/card-pending|card-upload-failed/);
  });
});

describe('private appointments', () => {
  it.each([
    ['private', 2, 'Private'],
    ['confidential', 2, 'Private'],
    ['personal', 2, 'Dentist'],
    ['private', 1, 'Dentist'],
  ] as const)('%s on resource %i shows as %s to the planner of resource 1', (sensitivity, resource, shown) => {
    expect(visibleTitle(appt({ title: 'Dentist', sensitivity, resource_id: resource }), 1)).toBe(shown);
  });
  it('does not leak the hidden title into the double-booking list', () => {
    const a = appt({ resource_id: 2, title: 'Dentist', sensitivity: 'private' });
    const b = appt({ resource_id: 2, title: 'Workshop', start: '2026-11-25T09:30:00+01:00', end: '2026-11-25T11:00:00+01:00' });
    const [row] = doubleBookingRows(findDoubleBookings([a, b], ZONE), byId, ZONE, 1);
    expect(row).toMatchObject({ resource: 'Boardroom', when: 'Wed 25 Nov, 09:30–10:00', date: '2026-11-25', first: 'Private', second: 'Workshop' });
  });
});

describe('cards', () => {
  const ctx = (doubleBooked: string[] = []) => ({ mine: 1, accounts, doubleBooked: new Set(doubleBooked) });

  it('locks a pulled appointment: no drag or resize, the reason in its label', () => {
    const record = pulled({ title: 'Daily stand-up' });
    const event = toCalendarEvent(record, byId, ZONE, ctx());
    expect(event.editable).toBe(false);
    expect(event.startEditable, 'not draggable, whatever the calendar-wide default').toBe(false);
    expect(event.durationEditable, 'not resizable, whatever the calendar-wide default').toBe(false);
    expect(event.classNames).toContain('q3-read-only');
    const card = cardOf(record, ctx());
    expect(card.label).toBe(
      'Daily stand-up, Busy, from megan.bowen@contoso.example, read-only: Pulled from megan.bowen@contoso.example (Down only): change it in Outlook.',
    );
    expect(cardHtml(card, '09:00 - 10:00')).toContain('data-testid="card-lock"');
  });

  it('leaves Quick3 appointments draggable and unlocked', () => {
    const record = appt({});
    const event = toCalendarEvent(record, byId, ZONE, ctx());
    expect([event.editable, event.startEditable, event.durationEditable]).toEqual([undefined, undefined, undefined]);
    expect(cardHtml(cardOf(record, ctx()), '')).not.toContain('card-lock');
  });

  it('flags a double-booked appointment on the card and in its label', () => {
    const record = appt({ title: 'Review' });
    const card = cardOf(record, ctx([record.id]));
    expect(card.label).toBe('Review, Busy, from Quick3, double booked');
    expect(cardHtml(card, '09:00')).toContain('data-testid="card-double-booked"');
    expect(toCalendarEvent(record, byId, ZONE, ctx([record.id])).classNames).toContain('q3-double-booked');
    expect(cardHtml(cardOf(record, ctx()), '09:00')).not.toContain('card-double-booked');
  });

  it('escapes titles, which come from Outlook as plain text', () => {
    expect(cardHtml(cardOf(appt({ title: '<b>Q&A</b>' }), ctx()), '')).toContain('&lt;b&gt;Q&amp;A&lt;/b&gt;');
  });
});

describe('card forms', () => {
  const ctx = { mine: 1, accounts, doubleBooked: new Set<string>() };
  it.each([
    ['resourceTimeGridWeek', 'compact', 'the Week view: day columns of 90–180 px'],
    ['resourceTimeGridDay', 'full', 'a column per resource, wide enough for title and time lines'],
    ['dayGridMonth', 'full', 'one line per card, as before'],
  ] as const)('%s draws the %s form (%s)', (view, form, _why) => {
    expect(cardForm(view)).toBe(form);
  });
  it.each([
    ['resourceTimeGridWeek', 'line', 'a 15-minute Week card is 16 px high: one line or its start is cut off'],
    ['resourceTimeGridDay', 'full', 'the Day view has its own one-line style for short cards'],
  ] as const)('a short card in %s draws the %s form (%s)', (view, form, _why) => {
    expect(cardForm(view, true)).toBe(form);
  });
  it('line: "08:30 Dispatch briefing" on one line, without the range under it', () => {
    const card = cardOf(appt({ title: 'Dispatch briefing', series_id: 'series-1' }), ctx);
    const html = cardHtml(card, '08:30 - 08:45', 'line');
    expect(html).toContain('>08:30</span> <span class="q3-card-text" data-testid="card-title">Dispatch briefing</span>');
    expect(html, 'its start is on the line already; a second line would not fit').not.toContain('q3-card-time');
    expect(html, 'styled as one line that never wraps (app.css)').toContain('class="q3-card q3-compact q3-line"');
    const order = ['card-start', 'card-title', 'card-origin'].map((id) => html.indexOf(`data-testid="${id}"`));
    expect(order, 'the badges come last: cut off first').toEqual([...order].sort((a, b) => a - b));
  });
  it.each([
    ['09:00 - 10:00', '09:00'],
    ['23:30 – 00:15', '23:30'],
    ['09:00–10:00', '09:00'],
    ['09:00', '09:00'],
    ['', ''],
  ])('the start of %j is %j', (text, start) => {
    expect(startTime(text)).toBe(start);
  });
  it('compact: the start time leads, then the subject, then the badges', () => {
    const html = cardHtml(cardOf(appt({ title: 'Weekly planning' }), ctx), '09:00 - 10:00', 'compact');
    const order = ['card-start', 'card-title', 'card-origin'].map((id) => html.indexOf(`data-testid="${id}"`));
    expect(order.every((at) => at >= 0), `every part is drawn: ${html}`).toBe(true);
    expect(order, 'start time before the subject before the badge, which may be cut off first').toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain('>09:00</span> <span class="q3-card-text" data-testid="card-title">Weekly planning</span>');
    expect(html, 'the range stays on its own line for taller cards').toContain('<div class="q3-card-time">09:00 - 10:00</div>');
  });
  it('compact all-day cards have no start time; the full form none at all', () => {
    expect(cardHtml(cardOf(appt({}), ctx), '', 'compact')).not.toContain('card-start');
    expect(cardHtml(cardOf(appt({}), ctx), '09:00 - 10:00')).not.toContain('card-start');
  });
  it('the tooltip says the whole subject, time, resource and origin', () => {
    const long = 'Interview: field engineer for the northern region, second round';
    expect(cardTooltip(cardOf(appt({ title: long }), ctx), '11:00 - 11:45', 'Adele Vance')).toBe(
      `${long}\n11:00 - 11:45\nAdele Vance\nFrom Quick3`,
    );
    const locked = cardOf(pulled({ title: 'Daily stand-up' }), ctx);
    expect(cardTooltip(locked, '', 'Megan Bowen')).toBe(
      'Daily stand-up\nAll day\nMegan Bowen\nFrom megan.bowen@contoso.example (Microsoft 365)\n' +
        'Pulled from megan.bowen@contoso.example (Down only): change it in Outlook.',
    );
  });
  it('the calendar event carries its resource name for the tooltip', () => {
    expect(toCalendarEvent(appt({ resource_id: 2 }), byId, ZONE).extendedProps?.resource).toBe('Boardroom');
  });
});

describe('the remembered view', () => {
  it('is the day view with resource columns until the planner picks another', () => {
    expect(rememberedView(null)).toBe('resourceTimeGridDay');
    expect(rememberedView('resourceTimelineWeek')).toBe('resourceTimelineWeek');
    expect(rememberedView('listYear')).toBe('resourceTimeGridDay');
  });
});

describe('the dialog of a private appointment', () => {
  it('shows another resource\'s private appointment only as "Private", read-only', () => {
    const secret = appt({ resource_id: 2, sensitivity: 'private', title: 'Doctor', location: 'Clinic', notes: 'x-ray' });
    const shown = shownInDialog(secret, 1);
    expect([shown.title, shown.location, shown.notes]).toEqual(['Private', '', '']);
    expect(shown.read_only).toBe(PRIVATE_READ_ONLY);
    expect([shown.start, shown.end]).toEqual([secret.start, secret.end]);
  });

  it('shows the planner\'s own private appointment and others\' normal ones in full', () => {
    const own = appt({ resource_id: 1, sensitivity: 'private', title: 'Doctor' });
    const open = appt({ resource_id: 2, title: 'Review' });
    expect(shownInDialog(own, 1)).toBe(own);
    expect(shownInDialog(open, 1)).toBe(open);
  });

  it('says why a card may not be changed or deleted: pulled, or another resource\'s private one', () => {
    const card = ({ location, notes, categories, recurrence, series_id, original_start, created_at, updated_at, ...rest }: AppointmentRecord) => rest;
    expect(readOnlyReason(card(appt({ resource_id: 2, sensitivity: 'private' })), 1)).toBe(PRIVATE_READ_ONLY);
    expect(readOnlyReason(card(appt({ resource_id: 1, sensitivity: 'private' })), 1)).toBeNull();
    expect(readOnlyReason(card(appt({ resource_id: 2 })), 1)).toBeNull();
    expect(readOnlyReason(card(pulled({ resource_id: 1 })), 1)).toMatch(/Outlook/);
  });
});

describe('series marks', () => {
  const ctx = { mine: 1, accounts, doubleBooked: new Set<string>() };
  const occurrence = { series_id: 's1', original_start: '2026-11-30T08:00:00Z' };

  it('marks an occurrence, and strikes the mark through when it was changed on its own', () => {
    const plain = cardOf(appt({ title: 'Service', ...occurrence }), ctx);
    expect(plain.label).toBe('Service, Busy, from Quick3, occurrence of a series');
    expect(cardHtml(plain, '')).toContain('data-testid="card-series"');
    expect(cardHtml(plain, ''), 'an occurrence never changed is no exception').not.toContain('card-exception');
    const changed = cardOf(appt({ title: 'Service', ...occurrence, exception: true }), ctx);
    expect(changed.label).toBe('Service, Busy, from Quick3, occurrence of a series, changed on its own');
    expect(cardHtml(changed, '')).toContain('data-testid="card-exception"');
  });

  it('marks nothing on a single appointment', () => {
    expect(cardHtml(cardOf(appt({}), ctx), '')).not.toMatch(/card-series|card-exception/);
  });
});
