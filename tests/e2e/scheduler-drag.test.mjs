// The Scheduler by hand in the real window, with real pointer actions on EventCalendar's grid:
// create an appointment by dragging over free time, move it to another resource and hour by
// dragging its card, stretch it by its bottom edge, edit it in the dialog, delete it and undo.
// Then, with Megan's Outlook calendar pulled by a Down-only account, a pulled appointment does not
// move when dragged and opens read-only with the reason, and a Quick3 appointment dragged over it
// is flagged as a double booking. Each step checks what a person sees (the card's title, its
// time and its column) and what is stored (`quick3 appointment list --json`).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, quick3, screenshot, shownCard, textOf,
  today, waitForAppointment, waitForCard, waitForText,
  storedAppointment, resourceIdsByName,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
const HOUR = 60;
let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const stored = (id) => storedAppointment(dataDir, id);
const resourceIds = () => resourceIdsByName(dataDir);

/** `HH:MM` → minutes after midnight. */
const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Screen coordinates of `times` (HH:MM) in the column of the resource named `resource` (day views
 * with a column per resource), after scrolling the grid so that the middle of them is in the middle
 * of the view. Computed from the grid as drawn: its first time label and EventCalendar's slot
 * height (one slot is 30 minutes).
 */
async function pointsAt(resource, ...times) {
  return app.execute((name, wanted) => {
    const root = document.querySelector('[data-testid="scheduler"]');
    const main = root.querySelector('.ec-main');
    const grid = root.querySelector('.ec-body .ec-grid');
    const heads = [...root.querySelectorAll('.ec-header .ec-col-head')].map((h) => h.textContent.trim());
    const day = grid.querySelectorAll('.ec-day')[heads.indexOf(name)];
    if (!day) throw new Error(`no column for ${name}: ${JSON.stringify(heads)}`);
    const first = root.querySelector('.ec-body .ec-sidebar time').getAttribute('datetime').slice(11, 16);
    const slot = parseFloat(getComputedStyle(main).getPropertyValue('--ec-slot-height'));
    const mins = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
    const offsets = wanted.map((at) => ((mins(at) - mins(first)) / 30) * slot);
    const middle = (offsets[0] + offsets[offsets.length - 1]) / 2;
    const body = main.getBoundingClientRect();
    main.scrollTop += grid.getBoundingClientRect().top + middle - (body.top + body.height / 2);
    const r = day.getBoundingClientRect();
    const top = grid.getBoundingClientRect().top;
    return offsets.map((offset) => ({ x: Math.round(r.left + r.width / 2), y: Math.round(top + offset) }));
  }, resource, times);
}

/** The height of an hour on the grid, in pixels (two 30-minute slots). */
async function hourPixels() {
  return app.execute(() => 2 * parseFloat(getComputedStyle(
    document.querySelector('[data-testid="scheduler"] .ec-main')).getPropertyValue('--ec-slot-height')));
}

/** The appointment id of the card at a point of the window, if any (what a press there hits). */
async function cardAt(point) {
  return app.execute((x, y) => document.elementFromPoint(x, y)?.closest('.ec-event')?.dataset.appointmentId ?? null,
    point.x, point.y);
}

/** A real mouse drag: press at `from`, move in steps, release at `to` (viewport coordinates). */
async function drag(from, to) {
  await app.action('pointer', { parameters: { pointerType: 'mouse' } })
    .move({ x: from.x, y: from.y, origin: 'viewport' })
    .down({ button: 0 })
    .move({ x: from.x, y: from.y + (to.y >= from.y ? 8 : -8), origin: 'viewport', duration: 50 })
    .move({ x: Math.round((from.x + to.x) / 2), y: Math.round((from.y + to.y) / 2), origin: 'viewport', duration: 100 })
    .move({ x: to.x, y: to.y, origin: 'viewport', duration: 100 })
    .up({ button: 0 })
    .perform();
}

/** The stored start/end of a record as local `HH:MM` (the planner's zone is the machine's). */
function storedTimes(record) {
  return { start: record.start.slice(11, 16), end: record.end.slice(11, 16), day: record.start.slice(0, 10) };
}

/** The value of a field of the open Appointment dialog. */
const field = async (id) => (await app.$(`[data-testid="${id}"]`)).getValue();

test('create by dragging over free time, move and resize by drag, edit, delete and undo', async () => {
  dataDir = freshDataDir('drag');
  app = await launch(dataDir);
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  await click(app, '[data-testid="sched-today"]');
  const ids = resourceIds();
  const title = `Drag-made ${Date.now()}`;

  // Create: Megan is free from 16:00 every day of the demo; drag from 16:00 down to 17:00.
  const [from, to] = await pointsAt('Megan Bowen', '16:00', '17:00');
  await drag({ x: from.x, y: from.y + 4 }, { x: to.x, y: to.y - 4 });
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-start-date'), today(), 'the dialog opens on the day dragged over');
  assert.equal(await field('appt-start-time'), '16:00', 'starting where the drag began');
  assert.equal(await field('appt-end-time'), '17:00', 'ending where it was released');
  assert.equal(Number(await field('appt-resource')), ids.get('Megan Bowen'), 'for the column dragged in');
  await fill(app, '[data-testid="appt-title"]', title);
  await click(app, '[data-testid="appt-save"]');
  await waitForAppointment(app, title);
  let shown = await waitForCard(app, title, (c) => c.time === '16:00–17:00', 'its time 16:00–17:00');
  assert.equal(shown.column, 'Megan Bowen', 'the card stands in Megan\'s column');
  const id = shown.id;
  let record = stored(id);
  assert.equal(record.title, title);
  assert.equal(record.resource_id, ids.get('Megan Bowen'));
  assert.deepEqual(storedTimes(record), { day: today(), start: '16:00', end: '17:00' }, 'stored as dragged');
  await screenshot(app, 'scheduler-drag-1-created');

  // Move: grab the card's title and drop it one hour later in Adele's column.
  const hour = await hourPixels();
  const [adele] = await pointsAt('Adele Vance', '16:00', '18:00');
  shown = await shownCard(app, title);
  const grab = { x: shown.box.x, y: shown.box.top + 12 };
  assert.equal(await cardAt(grab), id, 'the mouse is pressed on the new card');
  await drag(grab, { x: adele.x, y: grab.y + hour });
  shown = await waitForCard(app, title, (c) => c.time === '17:00–18:00' && c.column === 'Adele Vance',
    'its new time 17:00–18:00 in Adele\'s column');
  assert.equal(await (await app.$('[data-testid="appointment-dialog"]')).isExisting(), false,
    'dropping a card does not open it');
  record = stored(id);
  assert.equal(record.resource_id, ids.get('Adele Vance'), 'stored for Adele');
  assert.deepEqual(storedTimes(record), { day: today(), start: '17:00', end: '18:00' }, 'stored one hour later');
  await screenshot(app, 'scheduler-drag-2-moved');

  // Resize: pull the bottom edge down by an hour.
  shown = await shownCard(app, title);
  assert.ok(shown.resizer, 'a Quick3 card has a handle to resize it');
  await pointsAt('Adele Vance', '17:00', '19:00');
  shown = await shownCard(app, title);
  assert.equal(await cardAt(shown.resizer), id, 'the mouse is pressed on the card\'s bottom edge');
  await drag(shown.resizer, { x: shown.resizer.x, y: shown.resizer.y + hour });
  shown = await waitForCard(app, title, (c) => c.time === '17:00–19:00', 'its longer time 17:00–19:00');
  assert.equal(shown.column, 'Adele Vance', 'resizing keeps its column');
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '17:00', end: '19:00' }, 'stored two hours long');
  await screenshot(app, 'scheduler-drag-3-resized');

  // Edit in the dialog: a click on the card opens it with what was dragged.
  const edited = `${title} (edited)`;
  await click(app, `[data-appointment-id="${id}"]`);
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-start-time'), '17:00');
  assert.equal(await field('appt-end-time'), '19:00');
  assert.equal(Number(await field('appt-resource')), ids.get('Adele Vance'));
  await fill(app, '[data-testid="appt-title"]', edited);
  await fill(app, '[data-testid="appt-location"]', 'Boardroom');
  await fill(app, '[data-testid="appt-end-time"]', '18:30');
  await click(app, '[data-testid="appt-save"]');
  shown = await waitForCard(app, edited, (c) => c.time === '17:00–18:30', 'the edited title and end 18:30');
  assert.equal(shown.column, 'Adele Vance');
  record = stored(id);
  assert.equal(record.title, edited);
  assert.equal(record.location, 'Boardroom');
  assert.deepEqual(storedTimes(record), { day: today(), start: '17:00', end: '18:30' });
  await screenshot(app, 'scheduler-drag-4-edited');

  // Delete, then Undo in the notice.
  await click(app, `[data-appointment-id="${id}"]`);
  await click(app, '[data-testid="appt-delete"]');
  await waitForText(app, '[data-testid="toast"]', 'Appointment deleted');
  await app.waitUntil(async () => (await shownCard(app, edited)) === null,
    { timeout: 10000, timeoutMsg: 'the deleted appointment is still shown' });
  assert.equal(stored(id), undefined, 'the store no longer lists it');
  await screenshot(app, 'scheduler-drag-5-deleted');
  await click(app, '[data-testid="toast-undo"]');
  await waitForText(app, '[data-testid="toast"]', 'Appointment restored');
  shown = await waitForCard(app, edited, (c) => c.time === '17:00–18:30', 'again after Undo, at its time');
  assert.equal(shown.column, 'Adele Vance', 'back in its column');
  record = stored(id);
  assert.equal(record?.title, edited, 'the store lists it again');
  assert.deepEqual(storedTimes(record), { day: today(), start: '17:00', end: '18:30' });
  await screenshot(app, 'scheduler-drag-6-restored');
});

/** Tuesday of this week (machine zone), YYYY-MM-DD: Megan's stand-up is on it, nothing else early. */
function thisTuesday() {
  const d = new Date();
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Goes to `date` (YYYY-MM-DD) in the day view with Today and Next/Previous, as a person would. */
async function goTo(date) {
  const day = (text) => new Date(`${text}T12:00:00`);
  const steps = Math.round((day(date) - day(today())) / 86400000);
  const title = () => app.$('[data-testid="sched-title"]').then((e) => e.getText());
  await click(app, '[data-testid="sched-today"]');
  for (let step = 0; step < Math.abs(steps); step++) {
    const before = await title();
    await click(app, steps > 0 ? '[data-testid="sched-next"]' : '[data-testid="sched-prev"]');
    await app.waitUntil(async () => (await title()) !== before, { timeout: 5000, timeoutMsg: 'the day did not change' });
  }
  const wanted = day(date).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  assert.equal(await title(), wanted, 'the Scheduler shows the day asked for');
}

test('a pulled appointment of a Down-only account does not move when dragged and opens read-only', async () => {
  await openOffice365Tab(app);
  await connectAccount(app, megan); // the + dialog's default direction: Down only
  assert.match(await textOf(app, '[data-testid="office365-panel"]'), /Down/);
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  await click(app, '[data-testid="close-resource-card"]');

  await goTo(thisTuesday());
  await waitForAppointment(app, 'Daily stand-up');
  const before = await shownCard(app, 'Daily stand-up');
  assert.equal(before.column, 'Megan Bowen');
  assert.ok(before.lock, 'the pulled stand-up shows a lock');
  assert.match(before.tooltip, /change it in\s+Outlook/, `its tooltip says why: ${before.tooltip}`);
  assert.equal((await shownCard(app, 'Daily stand-up')).resizer, null, 'it has no handle to resize it');
  const storedBefore = stored(before.id);

  // Drag it two hours down into Adele's column: nothing moves, nothing is stored.
  const [adele] = await pointsAt('Adele Vance', before.time.slice(0, 5));
  const grab = await shownCard(app, 'Daily stand-up');
  const press = { x: grab.box.x, y: grab.box.top + 4 };
  assert.equal(await cardAt(press), before.id, 'the mouse is pressed on the stand-up');
  await drag(press, { x: adele.x, y: press.y + 2 * (await hourPixels()) });
  await pause(1000);
  const afterDrag = await shownCard(app, 'Daily stand-up');
  assert.equal(afterDrag.column, 'Megan Bowen', 'it stays in Megan\'s column');
  assert.equal(afterDrag.time, before.time, 'at its time');
  assert.deepEqual(stored(before.id), storedBefore, 'and the store is unchanged');
  await screenshot(app, 'scheduler-drag-7-locked-after-drag');

  // Opening it shows the reason and offers no way to change it.
  await click(app, `[data-appointment-id="${before.id}"]`);
  assert.match(await textOf(app, '[data-testid="appt-read-only"]'),
    /comes from a Microsoft 365 \(Outlook\) calendar: change it in\s+Outlook/);
  assert.equal(await (await app.$('[data-testid="appt-title"]')).isEnabled(), false, 'the title cannot be changed');
  assert.equal(await (await app.$('[data-testid="appt-save"]')).isExisting(), false, 'no Save');
  assert.equal(await (await app.$('[data-testid="appt-delete"]')).isExisting(), false, 'no Delete');
  await screenshot(app, 'scheduler-drag-8-read-only');
  await click(app, '[data-testid="appt-cancel"]');
});

/** The number of double bookings the toolbar names (none when it shows no button). */
async function doubleBookingCount() {
  const button = await app.$('[data-testid="double-bookings"]');
  if (!(await button.isExisting())) return 0;
  return Number(/(\d+) double booking/.exec(await button.getText())?.[1] ?? 0);
}

test('a Quick3 appointment dragged over a pulled one is flagged as a double booking', async () => {
  const title = `Overlap ${Date.now()}`;
  // Megan's demo Outlook calendar is random around today: the day may hold overlaps already.
  const before = await doubleBookingCount();
  const standup = await shownCard(app, 'Daily stand-up');
  // From the full hour before the stand-up to the full hour after it, in Megan's column.
  const start = `${String(Math.floor(minutes(standup.time.slice(0, 5)) / HOUR) - 1).padStart(2, '0')}:00`;
  const end = `${String(Math.floor(minutes(standup.time.slice(6, 11)) / HOUR) + 1).padStart(2, '0')}:00`;
  const [a, b] = await pointsAt('Megan Bowen', start, end);
  await drag({ x: a.x, y: a.y + 4 }, { x: b.x, y: b.y - 4 });
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-start-time'), start);
  assert.equal(await field('appt-end-time'), end);
  await fill(app, '[data-testid="appt-title"]', title);
  await click(app, '[data-testid="appt-save"]');
  await waitForAppointment(app, title);

  await app.waitUntil(async () => (await doubleBookingCount()) > before,
    { timeout: 10000, interval: 200, timeoutMsg: `the count of double bookings stayed at ${before}` });
  const mine = await waitForCard(app, title, (c) => c.flag, 'the double-booking flag');
  assert.equal(mine.column, 'Megan Bowen');
  assert.equal(mine.time, `${start}–${end}`);
  assert.match(mine.label, /double booked/);
  assert.ok((await shownCard(app, 'Daily stand-up')).flag, 'the pulled stand-up is flagged too');
  await click(app, '[data-testid="double-bookings"]');
  const rows = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="double-booking"]')].map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  assert.equal(rows.length, await doubleBookingCount(), `every double booking is listed: ${JSON.stringify(rows)}`);
  const ours = rows.filter((row) => row.includes(title) && row.includes('Daily stand-up'));
  assert.equal(ours.length, 1, `one row for the new appointment over the stand-up: ${JSON.stringify(rows)}`);
  assert.ok(ours[0].includes('Megan Bowen'), `the row names the resource: ${ours[0]}`);
  await screenshot(app, 'scheduler-drag-9-double-booking');
  await click(app, '[data-testid="double-bookings"]');
});
