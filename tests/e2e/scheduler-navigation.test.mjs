// Finding one's way in the Scheduler in the real window: the planner's own resource first and a
// resource filter that is remembered, a date picker, search by subject in the shown dates, a
// 15-minute appointment that shows its title, the keyboard (arrows between cards, Enter opens,
// Delete deletes, Ctrl+Z brings it back), the marks of an appointment waiting for its upload to
// Outlook and of one whose upload failed, with the reason, the display time zone, and another
// resource's private appointment, which reaches the window only as "Private".
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Key } from 'webdriverio';
import {
  click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, quick3, screenshot, textOf, today,
  viewPrefSaved, waitForAppointment, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

/** `date` (YYYY-MM-DD) moved by `days`. */
function addDays(date, days) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Monday of the week of `date`. */
function mondayOf(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
}

/** The cards a person sees: title, marks, tooltip and label. */
async function cards(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-event[data-appointment-id]')]
      .filter((e) => e.getClientRects().length > 0)
      .map((e) => ({
        id: e.dataset.appointmentId,
        title: e.querySelector('[data-testid="card-title"]')?.textContent ?? '',
        time: e.querySelector('.q3-card-time')?.textContent ?? '',
        pending: !!e.querySelector('[data-testid="card-pending"]'),
        failed: e.querySelector('[data-testid="card-upload-failed"]')?.getAttribute('title') ?? null,
        tooltip: e.getAttribute('title') ?? '',
        label: e.getAttribute('aria-label') ?? '',
      })));
}

async function cardTitled(browser, title) {
  return (await cards(browser)).find((c) => c.title === title);
}

/** The resource columns of the day view, left to right. */
async function columns(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-col-head')]
      .map((e) => e.textContent.trim()).filter(Boolean));
}

/** The appointment whose card has keyboard focus. */
const focused = (browser) => browser.execute(() => document.activeElement?.dataset?.appointmentId ?? null);

/** Creates an appointment on the planner's own resource through New appointment. */
async function create(browser, title, day, from, to) {
  await click(browser, '[data-testid="new-appointment"]');
  await fill(browser, '[data-testid="appt-title"]', title);
  await fill(browser, '[data-testid="appt-start-date"]', day);
  await fill(browser, '[data-testid="appt-start-time"]', from);
  await fill(browser, '[data-testid="appt-end-date"]', day);
  await fill(browser, '[data-testid="appt-end-time"]', to);
  await click(browser, '[data-testid="appt-save"]');
  await waitForAppointment(browser, title);
  return (await cardTitled(browser, title)).id;
}

/** Waits until `check(cards)` holds, saying what was shown otherwise. */
async function waitForCards(browser, check, what, timeout = 15000) {
  let seen = [];
  try {
    await browser.waitUntil(async () => check((seen = await cards(browser))), { timeout, interval: 200 });
  } catch {
    throw new Error(`${what}; the Scheduler shows: ${JSON.stringify(seen.map((c) => c.title))}`);
  }
}

test("the planner's own resource comes first; the resource filter hides a resource and is remembered", async () => {
  dataDir = freshDataDir('navigation');
  app = await launch(dataDir);
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  const before = await columns(app);
  assert.equal(before[0], 'Megan Bowen', `Megan, the planner, is the first column: ${JSON.stringify(before)}`);
  assert.ok(before.includes('Adele Vance'));

  await click(app, '[data-testid="resource-filter"]');
  await click(app, '[data-testid="resource-filter-option"][data-resource="Adele Vance"] input');
  await app.waitUntil(async () => !(await columns(app)).includes('Adele Vance'),
    { timeout: 5000, timeoutMsg: 'Adele Vance is still a column' });
  assert.match(await textOf(app, '[data-testid="resource-filter"]'), /4 of 5 resources/);
  assert.deepEqual(await columns(app), before.filter((c) => c !== 'Adele Vance'), 'the others keep their order');
  await screenshot(app, 'scheduler-resource-filter');
  // Ending the session kills the window process: the filter must be in view-prefs.json first.
  await viewPrefSaved(dataDir, 'quick3.scheduler.hiddenResources', (held) => held != null && held !== '[]');

  await app.deleteSession();
  app = await launch(dataDir);
  assert.ok(!(await columns(app)).includes('Adele Vance'), 'the filter is remembered across restarts');
  await click(app, '[data-testid="resource-filter"]');
  await click(app, '[data-testid="resource-filter-all"]');
  await app.waitUntil(async () => (await columns(app)).includes('Adele Vance'),
    { timeout: 5000, timeoutMsg: 'Show all did not bring Adele Vance back' });
  await click(app, '[data-testid="resource-filter"]');
});

test('the date picker goes to the day picked', async () => {
  // The demo's "Training: safety" is Adele's, on Tuesday next week.
  const tuesday = addDays(mondayOf(today()), 8);
  await fill(app, '[data-testid="sched-date"]', tuesday);
  await waitForAppointment(app, 'Training: safety');
  const day = Number(tuesday.slice(8, 10));
  assert.match(await textOf(app, '[data-testid="sched-title"]'), new RegExp(`\\b${day}\\b`), 'the title names the day');
  assert.equal(await (await app.$('[data-testid="sched-date"]')).getValue(), tuesday, 'the picker shows the day');
  await click(app, '[data-testid="sched-today"]');
});

test('search finds appointments of the shown dates by subject and goes to one', async () => {
  await click(app, '[data-testid="view-resourceTimeGridWeek"]');
  await fill(app, '[data-testid="sched-search"]', 'INTERVIEW');
  await waitForText(app, '[data-testid="search-results"]', 'Interview: field engineer');
  const rows = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="search-result"]')].map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  assert.equal(rows.length, 1, `one interview this week: ${JSON.stringify(rows)}`);
  assert.match(rows[0], /Interview: field engineer Alex Wilber · Tue,? \d+ \w+, 11:00/);
  await screenshot(app, 'scheduler-search');
  await click(app, '[data-testid="search-result"]');
  const interview = await cardTitled(app, 'Interview: field engineer');
  await app.waitUntil(async () => (await focused(app)) === interview.id,
    { timeout: 5000, timeoutMsg: 'the card found is not focused' });

  await fill(app, '[data-testid="sched-search"]', 'Quarterly budget');
  await waitForText(app, '[data-testid="search-results"]', 'No appointment in the shown dates');
  await click(app, '[data-testid="sched-next"]');
  await waitForText(app, '[data-testid="search-results"]', 'Quarterly budget', 10000);
  await fill(app, '[data-testid="sched-search"]', '');
  await click(app, '[data-testid="sched-today"]');
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
});

/** This week's Wednesday: Megan, the planner, has nothing on it in the demo. */
const wednesday = () => addDays(mondayOf(today()), 2);

test('a 15-minute appointment shows one whole line of its title', async () => {
  await create(app, 'Quick sync', wednesday(), '08:00', '08:15');
  const box = await app.execute(() => {
    const card = [...document.querySelectorAll('[data-testid="scheduler"] .ec-event')]
      .find((e) => e.querySelector('[data-testid="card-title"]')?.textContent === 'Quick sync');
    const title = card.querySelector('[data-testid="card-title"]');
    const c = card.getBoundingClientRect();
    const t = title.getBoundingClientRect();
    return { card: [c.top, c.bottom], title: [t.top, t.bottom], font: parseFloat(getComputedStyle(title).fontSize) };
  });
  assert.ok(box.title[0] >= box.card[0] - 0.5 && box.title[1] <= box.card[1] + 0.5,
    `the title line lies inside the card: ${JSON.stringify(box)}`);
  assert.ok(box.title[1] - box.title[0] >= box.font, `the line is as high as its letters: ${JSON.stringify(box)}`);
  assert.ok(box.font >= 11, `readable letters: ${box.font}px`);
  const el = await app.$('[data-testid="scheduler"] .ec-event.q3-short');
  await el.scrollIntoView({ block: 'center' });
  await screenshot(app, 'scheduler-short-card');
});

test('the keyboard: arrows between cards, Enter opens, Delete deletes and Ctrl+Z brings it back', async () => {
  const later = await create(app, 'Keyboard review', wednesday(), '10:00', '11:00');
  const first = (await cardTitled(app, 'Quick sync')).id;
  // Tab would reach the first card too; focusing it directly keeps the test short.
  await app.execute((id) => document.querySelector(`[data-appointment-id="${id}"]`).focus(), first);
  await app.keys([Key.ArrowDown]);
  assert.equal(await focused(app), later, 'ArrowDown goes to the next card of the column');
  await app.keys([Key.ArrowUp]);
  assert.equal(await focused(app), first, 'ArrowUp comes back');
  const label = await app.execute(() => document.activeElement.getAttribute('aria-label'));
  assert.match(label, /^Quick sync, Busy, from Quick3, 08:00/, 'the focused card has a label');
  const ring = await app.execute(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'the focus is visible');
  await screenshot(app, 'scheduler-keyboard-focus');

  await app.keys([Key.ArrowDown]);
  await app.keys([Key.Enter]);
  const titleField = await app.$('[data-testid="appt-title"]');
  await titleField.waitForDisplayed({ timeout: 5000, timeoutMsg: 'Enter did not open the appointment' });
  assert.equal(await titleField.getValue(), 'Keyboard review', 'Enter opens the focused card');
  await click(app, '[data-testid="appt-cancel"]');

  await app.execute((id) => document.querySelector(`[data-appointment-id="${id}"]`).focus(), later);
  await app.keys([Key.Delete]);
  await waitForText(app, '[data-testid="toast"]', 'Appointment deleted');
  await waitForCards(app, (list) => !list.some((c) => c.title === 'Keyboard review'), 'Delete did not remove the card');
  await app.execute(() => document.activeElement?.blur());
  await app.keys([Key.Ctrl, 'z']);
  await waitForCards(app, (list) => list.some((c) => c.id === later && c.title === 'Keyboard review'),
    'Ctrl+Z did not bring the appointment back');
  await app.waitUntil(async () => (await focused(app)) === later,
    { timeout: 5000, timeoutMsg: 'the restored card is not focused' });
});

test("another resource's private appointment reaches the window only as 'Private'", async () => {
  // Adele's, entered by whoever runs the CLI on this data folder (it lists it in full).
  quick3(dataDir, 'appointment', 'add', '--resource', 'Adele Vance', '--title', 'Doctor', '--sensitivity', 'private',
    '--start', `${wednesday()}T12:00`, '--end', `${wednesday()}T13:00`);
  await fill(app, '[data-testid="sched-date"]', wednesday());
  // Away and back: the day is loaded again with what the CLI added.
  await click(app, '[data-testid="sched-next"]');
  await click(app, '[data-testid="sched-prev"]');
  await waitForCards(app, (list) => list.some((c) => c.title === 'Private'), 'no Private card');
  const hidden = await cardTitled(app, 'Private');
  assert.ok(!hidden.tooltip.includes('Doctor') && !hidden.label.includes('Doctor'), 'the subject is nowhere on the card');
  await fill(app, '[data-testid="sched-search"]', 'Doctor');
  await waitForText(app, '[data-testid="search-results"]', 'No appointment in the shown dates');
  await fill(app, '[data-testid="sched-search"]', '');
  await click(app, `[data-appointment-id="${hidden.id}"]`);
  assert.match(await textOf(app, '[data-testid="appt-read-only"]'), /private appointment of another resource/);
  assert.equal(await (await app.$('[data-testid="appt-title"]')).getValue(), 'Private');
  await click(app, '[data-testid="appt-cancel"]');
  const listed = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).find((a) => a.id === hidden.id);
  assert.equal(listed.title, 'Doctor', 'the appointment itself is unchanged');
});

test('an appointment waiting for Outlook shows a pending mark; a failed upload says why', async () => {
  await openOffice365Tab(app);
  await connectAccount(app, megan, 'up');
  await click(app, '[data-testid="close-resource-card"]');
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  const faults = `http://127.0.0.1:${http}/_emulator/faults`;
  const fault = (rule) => fetch(faults, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  try {
    // Outlook asks Quick3 to wait before the next upload (429, Retry-After): the card waits,
    // marked, and the mark goes once the upload went through.
    assert.equal((await fault({ method: 'POST', path: '/v1.0/*', count: 1, kind: 'status', status: 429, retryAfter: 8 })).status, 201);
    await create(app, 'Slow upload', today(), '13:00', '14:00');
    await waitForCards(app, (list) => list.some((c) => c.title === 'Slow upload' && c.pending), 'no pending mark');
    const waiting = await cardTitled(app, 'Slow upload');
    assert.match(waiting.tooltip, /Waiting to be sent to Outlook \(megan\.bowen@contoso\.example\)/);
    assert.match(waiting.label, /waiting to be sent to Outlook/);
    await screenshot(app, 'scheduler-upload-pending');
    await waitForCards(app, (list) => list.some((c) => c.title === 'Slow upload' && !c.pending),
      'the pending mark stayed after the upload', 30000);

    // Outlook fails the next uploads: the card says why, and so does its dialog.
    await fetch(faults, { method: 'DELETE' });
    assert.equal((await fault({ method: 'POST', path: '/v1.0/*', kind: 'status', status: 500 })).status, 201);
    await create(app, 'Failed upload', today(), '15:00', '16:00');
    await waitForCards(app, (list) => list.some((c) => c.title === 'Failed upload' && c.failed), 'no failure mark', 30000);
    const failed = await cardTitled(app, 'Failed upload');
    assert.match(failed.failed, /^Not yet in Outlook \(megan\.bowen@contoso\.example\): .+ It is tried again with the next sync\.$/);
    assert.match(failed.label, /upload failed: /);
    await screenshot(app, 'scheduler-upload-failed');
    await click(app, `[data-appointment-id="${failed.id}"]`);
    assert.match(await textOf(app, '[data-testid="appt-upload"]'), /Not yet in Outlook/);
    await click(app, '[data-testid="appt-cancel"]');
  } finally {
    await fetch(faults, { method: 'DELETE' });
  }
});

test('times are shown in the display time zone chosen, and the choice is remembered', async () => {
  await fill(app, '[data-testid="sched-date"]', wednesday());
  await waitForCards(app, (list) => list.some((c) => c.title === 'Quick sync'), 'Quick sync is not shown');
  const machine = await (await app.$('[data-testid="sched-zone"]')).getValue();
  assert.match((await cardTitled(app, 'Quick sync')).time, /^08:00.08:15$/, `in the machine's zone (${machine}) as planned`);
  // Where Quick sync (08:00 on Wednesday here) falls in another zone, by the platform's zone data.
  const other = machine === 'Asia/Tokyo' ? 'America/New_York' : 'Asia/Tokyo';
  const start = new Date(`${wednesday()}T08:00:00`);
  const parts = (date) => Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: other, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const from = parts(start);
  const to = parts(new Date(start.getTime() + 15 * 60000));
  const there = new RegExp(`^${from.hour}:${from.minute}.${to.hour}:${to.minute}$`);
  const thereDay = `${from.year}-${from.month}-${from.day}`;

  await fill(app, '[data-testid="sched-zone"]', other);
  await fill(app, '[data-testid="sched-date"]', thereDay);
  await waitForCards(app, (list) => list.some((c) => c.title === 'Quick sync' && there.test(c.time)),
    `Quick sync is not shown at ${from.hour}:${from.minute} in ${other}`);
  await screenshot(app, 'scheduler-display-zone');

  await app.deleteSession();
  app = await launch(dataDir);
  assert.equal(await (await app.$('[data-testid="sched-zone"]')).getValue(), other, 'the zone is remembered');
  await fill(app, '[data-testid="sched-date"]', thereDay);
  await waitForCards(app, (list) => list.some((c) => c.title === 'Quick sync' && there.test(c.time)),
    `after a restart Quick sync is not at ${from.hour}:${from.minute} in ${other}`);
  await fill(app, '[data-testid="sched-zone"]', machine);
  await fill(app, '[data-testid="sched-date"]', wednesday());
  await waitForCards(app, (list) => list.some((c) => c.title === 'Quick sync' && /^08:00.08:15$/.test(c.time)),
    "back in the machine's zone Quick sync is not at 08:00");
});
