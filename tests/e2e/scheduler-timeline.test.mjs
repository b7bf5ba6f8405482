// The resource timeline (a week with resources as rows, the view for many resources) in the real
// window, with real pointer actions: create by dragging over free time, move a card to another hour
// and another resource's row, stretch it by its right edge, open it by click and by Enter, delete
// it with the keyboard and bring it back with Ctrl+Z; a pulled appointment of a Down-only account
// shows a lock, does not move and opens read-only. A double-click on free time creates; Escape
// during a drag puts the card back and stores nothing; an opened card shows what its slim card does
// not carry, and one deleted meanwhile says so; an all-day card moves by whole days, to another
// row, and stretches by days. Then 5,000 appointments of 100 resources: the week's appointments are
// all laid out, only the rows in view are drawn, scrolling down draws the last resource, and a card
// held at the bottom edge scrolls the rows and lands in one that was out of view, and ArrowDown
// walks down the rows into those out of view. Each step checks what a person sees (the card's
// title, time and row) and what is stored (`quick3 appointment list --json`).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Key } from 'webdriverio';
import {
  click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, quick3, screenshot, shownCard, textOf, today,
  waitForCard, waitForText,
  storedAppointment, resourceIdsByName,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const stored = (id) => storedAppointment(dataDir, id);
const resourceIds = () => resourceIdsByName(dataDir);

/** The stored start/end of a record as local day and `HH:MM` (the planner's zone is the machine's). */
function storedTimes(record) {
  return { day: record.start.slice(0, 10), start: record.start.slice(11, 16), end: record.end.slice(11, 16) };
}

const field = async (id) => (await app.$(`[data-testid="${id}"]`)).getValue();

/**
 * Screen points of `times` (HH:MM) on `day` in the row of the resource named `resource`, in the
 * free first lane, after scrolling the timeline so that the first of them is in view. Read from
 * the timeline as drawn: the day's header, its first hour label and the hour's width.
 */
async function pointsAt(resource, day, ...times) {
  return app.execute((name, date, wanted) => {
    const scroller = document.querySelector('[data-testid="timeline"]');
    const head = () => scroller.querySelector(`[data-testid="timeline-day"][data-day="${date}"]`);
    const hours = head().querySelectorAll('.tl-hours span');
    const first = Number(hours[0].textContent);
    const hourWidth = hours[0].getBoundingClientRect().width;
    const mins = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
    const offsets = wanted.map((at) => ((mins(at) - first * 60) / 60) * hourWidth);
    const row = [...scroller.querySelectorAll('[data-testid="timeline-row"]')]
      .find((r) => r.querySelector('[data-testid="timeline-resource"]').textContent === name);
    if (!row) throw new Error(`no row for ${name}`);
    // The row to the middle of the view, the first time to a third of it (right of the names).
    // (Not scrollIntoView: WebKit aligns an element wider than the view to its left edge.)
    scroller.scrollTop = Math.max(row.offsetTop - scroller.clientHeight / 2, 0);
    scroller.scrollLeft = Math.max(head().offsetLeft + offsets[0] - scroller.clientWidth / 3, 0);
    const r = row.getBoundingClientRect();
    const left = head().getBoundingClientRect().left;
    return offsets.map((offset) => ({ x: Math.round(left + offset), y: Math.round(r.top + 4 + 18) }));
  }, resource, day, times);
}

/** What a press at a point of the window hits: a card's appointment id, 'track' or something else. */
async function hitAt(point) {
  return app.execute((x, y) => {
    const el = document.elementFromPoint(x, y);
    const cardEl = el?.closest('[data-appointment-id]');
    if (cardEl) return cardEl.dataset.appointmentId;
    return el?.closest('.tl-track') ? 'track' : el?.className ?? null;
  }, point.x, point.y);
}

async function drag(from, to) {
  await app.action('pointer', { parameters: { pointerType: 'mouse' } })
    .move({ x: from.x, y: from.y, origin: 'viewport' })
    .down({ button: 0 })
    .move({ x: from.x + (to.x >= from.x ? 8 : -8), y: from.y, origin: 'viewport', duration: 50 })
    .move({ x: Math.round((from.x + to.x) / 2), y: Math.round((from.y + to.y) / 2), origin: 'viewport', duration: 100 })
    .move({ x: to.x, y: to.y, origin: 'viewport', duration: 100 })
    .up({ button: 0 })
    .perform();
}

/** A mouse of one id for drags held across several calls (press, look, then release). */
const mouse = () => app.action('pointer', { id: 'mouse', parameters: { pointerType: 'mouse' } });

/** Presses at `from` and moves to `to` in steps, keeping the button down (release with `release`). */
async function dragAndHold(from, to) {
  await mouse()
    .move({ x: from.x, y: from.y, origin: 'viewport' })
    .down({ button: 0 })
    .move({ x: from.x, y: from.y + (to.y >= from.y ? 8 : -8), origin: 'viewport', duration: 50 })
    .move({ x: Math.round((from.x + to.x) / 2), y: Math.round((from.y + to.y) / 2), origin: 'viewport', duration: 100 })
    .move({ x: to.x, y: to.y, origin: 'viewport', duration: 100 })
    .perform(true);
}

const release = () => mouse().up({ button: 0 }).perform();

async function doubleClickAt(point) {
  await mouse()
    .move({ x: point.x, y: point.y, origin: 'viewport' })
    .down({ button: 0 }).up({ button: 0 })
    .pause(60)
    .down({ button: 0 }).up({ button: 0 })
    .perform();
}

/** Whether a drag's preview (the card at its would-be place, or a selection) is drawn. */
const previewShown = () => app.execute(() => !!document.querySelector('[data-testid="timeline-preview"]'));

/** `date` (YYYY-MM-DD) plus `days`. */
function addDays(date, days) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Waits until the timeline is drawn and its week loaded (the toolbar no longer says Loading…). */
async function timelineLoaded() {
  await (await app.$('[data-testid="timeline"]')).waitForDisplayed({ timeout: 10000 });
  await app.waitUntil(async () => !(await (await app.$('[data-testid="scheduler"] .loading')).isExisting()),
    { timeout: 10000, timeoutMsg: 'the week did not load' });
}

/**
 * Zooms the timeline in to about the hour width it had before it fitted the window (6 × fit, some
 * 60 px an hour): these drags aim at quarter hours and scroll at the edges of a wide week.
 */
async function zoomForDragging() {
  await app.execute(() => document.querySelector('[data-testid="timeline-zoom-fit"]')?.click());
  for (let i = 0; i < 5; i++) {
    const more = await app.execute(() => {
      const plus = document.querySelector('[data-testid="timeline-zoom-in"]');
      if (!plus || plus.disabled) return false;
      plus.click();
      return true;
    });
    if (!more) break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const hourWidth = () => app.execute(() =>
  document.querySelector('[data-testid="timeline-day"] .tl-hours span').getBoundingClientRect().width);

test('the timeline: create by drag, move to another row and hour, stretch, open, delete and undo', async () => {
  dataDir = freshDataDir('timeline');
  app = await launch(dataDir);
  await click(app, '[data-testid="view-resourceTimelineWeek"]');
  await timelineLoaded();
  await zoomForDragging();
  const rows = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="timeline-resource"]')].map((e) => e.textContent));
  assert.equal(rows[0], 'Megan Bowen', `the planner's own resource is the first row: ${JSON.stringify(rows)}`);
  assert.ok(rows.includes('Adele Vance') && rows.includes('Boardroom'), JSON.stringify(rows));
  const ids = resourceIds();
  const title = `Timeline-made ${Date.now()}`;

  // Create: Megan is free from 16:00 every day of the demo; drag from 16:00 to 17:00 today.
  const [from, to] = await pointsAt('Megan Bowen', today(), '16:00', '17:00');
  assert.equal(await hitAt({ x: from.x + 4, y: from.y }), 'track',
    `the press is on free time: ${JSON.stringify({ from, to, view: await app.execute(() => [innerWidth, innerHeight]) })}`);
  await drag({ x: from.x + 4, y: from.y }, { x: to.x - 4, y: to.y });
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-start-date'), today(), 'the dialog opens on the day dragged over');
  assert.equal(await field('appt-start-time'), '16:00', 'starting where the drag began');
  assert.equal(await field('appt-end-time'), '17:00', 'ending where it was released');
  assert.equal(Number(await field('appt-resource')), ids.get('Megan Bowen'), 'for the row dragged in');
  await fill(app, '[data-testid="appt-title"]', title);
  await click(app, '[data-testid="appt-save"]');
  let shown = await waitForCard(app, title, (c) => c.time === '16:00–17:00', 'its time 16:00–17:00');
  assert.equal(shown.row, 'Megan Bowen', "the card is in Megan's row");
  assert.equal(shown.box.height, 36, 'a card of the fixed height');
  assert.match(shown.label, new RegExp(`^${title}, Busy, from Quick3, \\w{3},? \\d+ \\w{3}, 16:00–17:00$`));
  const id = shown.id;
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '16:00', end: '17:00' }, 'stored as dragged');
  assert.equal(stored(id).resource_id, ids.get('Megan Bowen'));
  await screenshot(app, 'scheduler-timeline-1-created');

  // Move: grab the card and drop it one hour later in Adele's row.
  const hour = await hourWidth();
  const [adele] = await pointsAt('Adele Vance', today(), '16:00');
  shown = await shownCard(app, title);
  const grab = { x: shown.box.left + 10, y: shown.box.top + 18 };
  assert.equal(await hitAt(grab), id, 'the mouse is pressed on the new card');
  await drag(grab, { x: grab.x + hour, y: adele.y });
  shown = await waitForCard(app, title, (c) => c.time === '17:00–18:00' && c.row === 'Adele Vance',
    "its new time 17:00–18:00 in Adele's row");
  assert.equal(await (await app.$('[data-testid="appointment-dialog"]')).isExisting(), false, 'dropping a card does not open it');
  assert.equal(stored(id).resource_id, ids.get('Adele Vance'), 'stored for Adele');
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '17:00', end: '18:00' }, 'stored one hour later');
  await screenshot(app, 'scheduler-timeline-2-moved');

  // Resize: pull the right edge an hour further.
  await pointsAt('Adele Vance', today(), '17:00');
  shown = await shownCard(app, title);
  assert.ok(shown.resizer, 'a Quick3 card has a handle to stretch it');
  await drag(shown.resizer, { x: shown.resizer.x + hour, y: shown.resizer.y });
  shown = await waitForCard(app, title, (c) => c.time === '17:00–19:00', 'its longer time 17:00–19:00');
  assert.equal(shown.row, 'Adele Vance', 'stretching keeps its row');
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '17:00', end: '19:00' }, 'stored two hours long');
  await screenshot(app, 'scheduler-timeline-3-resized');

  // Open by click, and by Enter on the focused card.
  await click(app, `[data-appointment-id="${id}"]`);
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-title'), title);
  assert.equal(await field('appt-start-time'), '17:00');
  assert.equal(await field('appt-end-time'), '19:00');
  assert.equal(Number(await field('appt-resource')), ids.get('Adele Vance'));
  await screenshot(app, 'scheduler-timeline-4-opened');
  await click(app, '[data-testid="appt-cancel"]');
  await app.execute((cid) => document.querySelector(`[data-appointment-id="${cid}"]`).focus(), id);
  const ring = await app.execute(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'the focus is visible');
  await app.keys([Key.Enter]);
  const titleField = await app.$('[data-testid="appt-title"]');
  await titleField.waitForDisplayed({ timeout: 5000, timeoutMsg: 'Enter did not open the appointment' });
  assert.equal(await titleField.getValue(), title, 'Enter opens the focused card');
  await click(app, '[data-testid="appt-cancel"]');

  // Delete with the keyboard, then Ctrl+Z.
  await app.execute((cid) => document.querySelector(`[data-appointment-id="${cid}"]`).focus(), id);
  await app.keys([Key.Delete]);
  await waitForText(app, '[data-testid="toast"]', 'Appointment deleted');
  await app.waitUntil(async () => (await shownCard(app, title)) === null, { timeout: 10000, timeoutMsg: 'the deleted card is still shown' });
  assert.equal(stored(id), undefined, 'the store no longer lists it');
  await app.execute(() => document.activeElement?.blur());
  await app.keys([Key.Ctrl, 'z']);
  shown = await waitForCard(app, title, (c) => c.time === '17:00–19:00' && c.row === 'Adele Vance', 'again after Ctrl+Z');
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '17:00', end: '19:00' }, 'the store lists it again');
  await app.waitUntil(async () => (await app.execute(() => document.activeElement?.dataset?.appointmentId)) === id,
    { timeout: 5000, timeoutMsg: 'the restored card is not focused' });
});

test('the timeline: a double-click creates, Escape drops nothing, an all-day card moves by days and to another row', async () => {
  const ids = resourceIds();
  const title = `Double-clicked ${Date.now()}`;

  // Double-click on free time: Megan at 18:00 today (free from 16:00 every day of the demo).
  const [at] = await pointsAt('Megan Bowen', today(), '18:00');
  const point = { x: at.x + 6, y: at.y };
  assert.equal(await hitAt(point), 'track', 'the double-click is on free time');
  await doubleClickAt(point);
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-start-date'), today(), 'the dialog opens on the day clicked');
  assert.equal(await field('appt-start-time'), '18:00', 'at the half hour clicked');
  assert.equal(await field('appt-end-time'), '18:30', 'for half an hour');
  assert.equal(Number(await field('appt-resource')), ids.get('Megan Bowen'), 'for the row clicked in');
  await fill(app, '[data-testid="appt-title"]', title);
  await fill(app, '[data-testid="appt-location"]', 'Room 4');
  await fill(app, '[data-testid="appt-notes"]', 'Bring the printouts');
  await click(app, '[data-testid="appt-save"]');
  let shown = await waitForCard(app, title, (c) => c.time === '18:00–18:30', 'its time 18:00–18:30');
  assert.equal(shown.row, 'Megan Bowen', "the card is in Megan's row");
  const id = shown.id;
  assert.deepEqual(storedTimes(stored(id)), { day: today(), start: '18:00', end: '18:30' }, 'stored as clicked');
  assert.equal(stored(id).resource_id, ids.get('Megan Bowen'));
  await screenshot(app, 'scheduler-timeline-8-double-clicked');

  // Escape during a drag: the card, dragged two hours later into Adele's row, goes back.
  const hour = await hourWidth();
  const [adele] = await pointsAt('Adele Vance', today(), '18:00');
  shown = await shownCard(app, title);
  const grab = { x: shown.box.left + 10, y: shown.box.top + 18 };
  assert.equal(await hitAt(grab), id, 'the mouse is pressed on the card');
  const before = stored(id);
  await dragAndHold(grab, { x: grab.x + 2 * hour, y: adele.y });
  assert.ok(await previewShown(), 'the card is being dragged');
  await app.action('key').down(Key.Escape).up(Key.Escape).perform(true);
  assert.equal(await previewShown(), false, 'Escape ends the drag at once, the mouse still pressed');
  await release();
  await pause(1000);
  shown = await shownCard(app, title);
  assert.equal(shown.row, 'Megan Bowen', "the card is back in Megan's row");
  assert.equal(shown.time, '18:00–18:30', 'at its time');
  assert.equal(await (await app.$('[data-testid="appointment-dialog"]')).isExisting(), false, 'nothing opens');
  assert.deepEqual(stored(id), before, 'nothing is stored');

  // Opened, it shows what its card does not carry (the week's cards are slim records).
  await click(app, `[data-appointment-id="${id}"]`);
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await field('appt-title'), title);
  assert.equal(await field('appt-location'), 'Room 4', 'the dialog shows the location');
  assert.equal(await field('appt-notes'), 'Bring the printouts', 'and the notes');
  await click(app, '[data-testid="appt-cancel"]');

  // Deleted elsewhere since the week was loaded (here by Support with the CLI): opening its card
  // says so and the card goes.
  quick3(dataDir, 'appointment', 'delete', id);
  await click(app, `[data-appointment-id="${id}"]`);
  await waitForText(app, '[data-testid="toast"]', 'This appointment has been deleted meanwhile.');
  await app.waitUntil(async () => (await shownCard(app, title)) === null,
    { timeout: 10000, timeoutMsg: 'the card of the deleted appointment is still shown' });
  assert.equal(await (await app.$('[data-testid="appointment-dialog"]')).isExisting(), false, 'no dialog opens');

  // An all-day card: the demo's two-day trade fair moves a day later and to the next row by drag.
  let fair = await shownCard(app, 'Trade fair');
  assert.ok(fair, 'the week shows the trade fair');
  const fairBefore = stored(fair.id);
  assert.equal(fairBefore.all_day, true);
  const rowNames = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="timeline-resource"]')].map((e) => e.textContent));
  const next = rowNames[rowNames.indexOf(fair.row) + 1] ?? rowNames[rowNames.indexOf(fair.row) - 1];
  const first = fairBefore.start; // its first day; the card spans it and the next
  // The boundary between its two days in the middle of the view; press just before it and drop
  // just after it, in the next resource's row.
  const spot = await app.execute((day, cardId, name) => {
    const scroller = document.querySelector('[data-testid="timeline"]');
    const head = scroller.querySelector(`[data-testid="timeline-day"][data-day="${day}"]`);
    scroller.scrollLeft = head.offsetLeft + head.offsetWidth - scroller.clientWidth / 2;
    scroller.scrollTop = 0;
    const boundary = head.getBoundingClientRect().right;
    const cardBox = scroller.querySelector(`[data-appointment-id="${cardId}"]`).getBoundingClientRect();
    const row = [...scroller.querySelectorAll('[data-testid="timeline-row"]')]
      .find((r) => r.querySelector('[data-testid="timeline-resource"]').textContent === name).getBoundingClientRect();
    return { boundary: Math.round(boundary), y: Math.round(cardBox.top + 18), rowY: Math.round(row.top + 22) };
  }, first, fair.id, next);
  const press = { x: spot.boundary - 20, y: spot.y };
  assert.equal(await hitAt(press), fair.id, 'the mouse is pressed on the trade fair');
  await drag(press, { x: spot.boundary + 20, y: spot.rowY });
  fair = await waitForCard(app, 'Trade fair', (c) => c.row === next, `a place in ${next}'s row`);
  const moved = stored(fair.id);
  assert.equal(moved.resource_id, ids.get(next), `stored for ${next}`);
  assert.equal(moved.all_day, true, 'still all day');
  assert.deepEqual([moved.start, moved.end], [addDays(fairBefore.start, 1), addDays(fairBefore.end, 1)],
    'a day later, as long as before');
  const secondDay = await app.execute((day) => Math.round(
    document.querySelector(`[data-testid="timeline-day"][data-day="${day}"]`).getBoundingClientRect().left), addDays(first, 1));
  assert.ok(Math.abs(fair.box.left - secondDay) <= 2, `the card starts at the next day: ${fair.box.left} vs ${secondDay}`);
  assert.match(fair.label, /all day$/);
  await screenshot(app, 'scheduler-timeline-9-all-day-moved');

  // Stretched by its right edge into the day after: three whole days.
  const edge = await app.execute((cardId) => {
    const scroller = document.querySelector('[data-testid="timeline"]');
    const el = scroller.querySelector(`[data-appointment-id="${cardId}"]`);
    scroller.scrollLeft = el.offsetLeft + 200 + el.offsetWidth - scroller.clientWidth / 2;
    const handle = el.querySelector('.tl-resizer').getBoundingClientRect();
    return { x: Math.round(handle.left + handle.width / 2), y: Math.round(handle.top + handle.height / 2) };
  }, fair.id);
  assert.equal(await hitAt(edge), fair.id, 'the mouse is pressed on the edge of the trade fair');
  await drag(edge, { x: edge.x + 60, y: edge.y });
  await app.waitUntil(async () => stored(fair.id).end === addDays(fairBefore.end, 2),
    { timeout: 10000, timeoutMsg: `the trade fair does not end a day later: ${JSON.stringify(stored(fair.id))}` });
  assert.equal(stored(fair.id).start, addDays(fairBefore.start, 1), 'its first day stays');
  fair = await shownCard(app, 'Trade fair');
  const dayWidth = await app.execute(() => document.querySelector('[data-testid="timeline-day"]').getBoundingClientRect().width);
  assert.ok(Math.abs(fair.box.width - 3 * dayWidth) <= 2, `the card spans three days: ${fair.box.width} px, a day ${dayWidth} px`);
});

/** The day and `HH:MM` the timeline shows at a client x (from the day headers as drawn). */
const wallAt = (x) => app.execute((at) => {
  const heads = [...document.querySelectorAll('[data-testid="timeline-day"]')];
  const head = heads.find((h) => {
    const r = h.getBoundingClientRect();
    return at >= r.left && at < r.right;
  });
  if (!head) return null;
  const hours = head.querySelectorAll('.tl-hours span');
  const hourWidth = hours[0].getBoundingClientRect().width;
  const minutes = Number(hours[0].textContent) * 60 + ((at - head.getBoundingClientRect().left) / hourWidth) * 60;
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(Math.floor(minutes % 60)).padStart(2, '0')}`;
  return `${head.dataset.day}T${hhmm}`;
}, x);

test('a new selection dragged to the right edge scrolls the days and reaches past what was in view', async () => {
  await app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    tl.scrollLeft = 0;
    tl.scrollTop = 0;
  });
  await pause(300);
  const view = await app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    const box = tl.getBoundingClientRect();
    return { left: Math.round(box.left + 200), right: Math.round(box.left + tl.clientWidth) };
  });
  // Free time in Megan's row on the first day, early.
  const monday = await app.execute(() => document.querySelector('[data-testid="timeline-day"]').dataset.day);
  let press = null;
  for (const time of ['07:00', '07:30', '08:00', '08:30', '09:00', '09:30', '10:00']) {
    const [point] = await pointsAt('Megan Bowen', monday, time);
    const candidate = { x: point.x + 6, y: point.y };
    if (candidate.x > view.left + 60 && (await hitAt(candidate)) === 'track') {
      press = candidate;
      break;
    }
  }
  assert.ok(press, "Megan's row has free time early on the first day");
  const pressedAt = await wallAt(press.x);
  const edgeAtStart = await wallAt(view.right - 8);
  const scrolledBefore = await app.execute(() => document.querySelector('[data-testid="timeline"]').scrollLeft);

  await mouse()
    .move({ x: press.x, y: press.y, origin: 'viewport' })
    .down({ button: 0 })
    .move({ x: press.x + 20, y: press.y, origin: 'viewport', duration: 50 })
    .move({ x: view.right - 6, y: press.y, origin: 'viewport', duration: 200 })
    .perform(true);
  const scrollLeftNow = () => app.execute(() => document.querySelector('[data-testid="timeline"]').scrollLeft);
  await app.waitUntil(async () => (await scrollLeftNow()) > scrolledBefore + 600,
    { timeout: 30000, interval: 100 }).catch(() => {});
  await mouse().move({ x: view.right - 150, y: press.y, origin: 'viewport', duration: 100 }).perform(true);
  const scrolled = await scrollLeftNow();
  const releasedAt = await wallAt(view.right - 150);
  await release();
  await textOf(app, '[data-testid="appointment-dialog"]');
  const start = `${await field('appt-start-date')}T${await field('appt-start-time')}`;
  const end = `${await field('appt-end-date')}T${await field('appt-end-time')}`;
  const resource = Number(await field('appt-resource'));
  await click(app, '[data-testid="appt-cancel"]');

  assert.ok(scrolled > scrolledBefore + 600, `the days scrolled while the selection was at the right edge: ${scrolledBefore} → ${scrolled}`);
  assert.ok(releasedAt > edgeAtStart, `the pointer ends over time that was out of view: ${releasedAt} after ${edgeAtStart}`);
  assert.equal(start, `${monday}T${pressedAt.slice(11, 13)}:${Number(pressedAt.slice(14, 16)) < 30 ? '00' : '30'}`,
    'the selection starts where it was pressed');
  assert.ok(end > edgeAtStart, `it ends past what was in view when it began: ${end} after ${edgeAtStart}`);
  assert.equal(resource, resourceIds().get('Megan Bowen'), 'in the row pressed');
});

test('a pulled appointment of a Down-only account shows a lock, does not move and opens read-only', async () => {
  await openOffice365Tab(app);
  await connectAccount(app, megan);
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  await click(app, '[data-testid="close-resource-card"]');

  // Live: the timeline shows the pulled stand-ups without being reloaded.
  await app.waitUntil(async () => (await shownCard(app, 'Daily stand-up')) !== null,
    { timeout: 10000, timeoutMsg: 'no Daily stand-up after the sync' });
  await app.execute(() => {
    const el = [...document.querySelectorAll('[data-testid="timeline"] .q3-tl-card')]
      .find((e) => e.querySelector('[data-testid="card-title"]')?.textContent === 'Daily stand-up');
    el.scrollIntoView({ block: 'center', inline: 'center' });
  });
  const before = await shownCard(app, 'Daily stand-up');
  assert.equal(before.row, 'Megan Bowen');
  assert.ok(before.lock, 'the pulled stand-up shows a lock');
  assert.equal(before.resizer, null, 'it has no handle to stretch it');
  assert.match(before.tooltip, /change it in\s+Outlook/, `its tooltip says why: ${before.tooltip}`);
  const storedBefore = stored(before.id);

  const press = { x: before.box.left + Math.min(10, before.box.width / 2), y: before.box.top + 18 };
  assert.equal(await hitAt(press), before.id, 'the mouse is pressed on the stand-up');
  await drag(press, { x: press.x + 2 * (await hourWidth()), y: press.y + 60 });
  await pause(1000);
  const afterDrag = await shownCard(app, 'Daily stand-up');
  assert.equal(afterDrag.row, 'Megan Bowen', "it stays in Megan's row");
  assert.equal(afterDrag.time, before.time, 'at its time');
  assert.deepEqual(stored(before.id), storedBefore, 'and the store is unchanged');

  await click(app, `[data-appointment-id="${before.id}"]`);
  assert.match(await textOf(app, '[data-testid="appt-read-only"]'),
    /comes from a Microsoft 365 \(Outlook\) calendar: change it in\s+Outlook/);
  assert.equal(await (await app.$('[data-testid="appt-save"]')).isExisting(), false, 'no Save');
  await screenshot(app, 'scheduler-timeline-5-read-only');
  await click(app, '[data-testid="appt-cancel"]');

  // The arrow keys: from the stand-up to the next card right of it in Megan's row, and back left.
  const focusedCard = () => app.execute(() => {
    const el = document.activeElement;
    return el?.dataset?.appointmentId
      ? { id: el.dataset.appointmentId, left: el.getBoundingClientRect().left, row: el.closest('[data-testid="timeline-row"]').dataset.resourceId }
      : null;
  });
  await app.execute((cid) => document.querySelector(`[data-appointment-id="${cid}"]`).focus(), before.id);
  const start = await focusedCard();
  await app.keys([Key.ArrowRight]);
  const right = await focusedCard();
  assert.ok(right && right.id !== start.id && right.left > start.left && right.row === start.row,
    `ArrowRight goes to a card right of it in the same row: ${JSON.stringify({ start, right })}`);
  await app.keys([Key.ArrowLeft]);
  const left = await focusedCard();
  assert.ok(left && left.left < right.left && left.row === start.row, `ArrowLeft goes back left: ${JSON.stringify(left)}`);
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
});

test('5,000 appointments of 100 resources: every one of the week laid out, only the rows in view drawn', async () => {
  await app.deleteSession();
  app = null;
  dataDir = freshDataDir('timeline-scale');
  quick3(dataDir, 'demo', 'seed');
  quick3(dataDir, 'demo', 'scale', '--resources', '100', '--appointments', '5000', '--weeks', '4');
  const monday = (() => {
    const d = new Date();
    d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  })();
  const nextMonday = new Date(`${monday}T12:00:00`);
  nextMonday.setDate(nextMonday.getDate() + 7);
  const until = `${nextMonday.getFullYear()}-${String(nextMonday.getMonth() + 1).padStart(2, '0')}-${String(nextMonday.getDate()).padStart(2, '0')}`;
  const week = JSON.parse(quick3(dataDir, 'appointment', 'list', '--from', monday, '--to', until, '--json')).length;
  assert.ok(week > 1000, `the week holds over 1,000 appointments: ${week}`);

  app = await launch(dataDir, { demo: false });
  await click(app, '[data-testid="view-resourceTimelineWeek"]');
  const state = () => app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    return {
      week: tl?.dataset.week,
      appointments: Number(tl?.dataset.appointments),
      rows: tl?.querySelectorAll('[data-testid="timeline-row"]').length,
      cards: tl?.querySelectorAll('[data-appointment-id]').length,
      names: [...(tl?.querySelectorAll('[data-testid="timeline-resource"]') ?? [])].map((e) => e.textContent),
    };
  });
  await app.waitUntil(async () => (await state()).appointments === week,
    { timeout: 30000, timeoutMsg: 'the timeline did not lay out the week' });
  await zoomForDragging();
  // What the week costs over IPC: the cards, without what only the dialog shows.
  const ipc = await app.execute(async (from, to) => {
    const cards = await window.__TAURI_INTERNALS__.invoke('list_appointments', { from, to });
    return { count: cards.length, bytes: new TextEncoder().encode(JSON.stringify(cards)).length, fields: Object.keys(cards[0]) };
  }, new Date(`${monday}T00:00:00`).toISOString(), new Date(`${until}T00:00:00`).toISOString());
  assert.equal(ipc.count, week);
  assert.ok(!ipc.fields.includes('notes') && !ipc.fields.includes('created_at'), `a card carries what it shows: ${ipc.fields}`);
  console.log(`the week's ${ipc.count} cards: ${ipc.bytes} bytes of JSON over IPC`);
  const top = await state();
  assert.equal(top.week, monday);
  assert.ok(top.rows >= 5 && top.rows < 40, `only the rows in view and a margin are drawn: ${top.rows} of 100`);
  assert.ok(top.cards > 0 && top.cards < week / 2, `only their cards: ${top.cards} of ${week}`);
  const total = resourceIds().size;
  assert.equal(total, 100);
  await app.execute(() => { document.querySelector('[data-testid="timeline"]').scrollLeft = 0; });
  await pause(300);
  await screenshot(app, 'scheduler-timeline-6-many');

  await app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    tl.scrollTop = tl.scrollHeight;
  });
  // The rows are the planner's own resource, then the others by name: the last by name is at the bottom.
  const lastName = [...resourceIds().keys()].filter((n) => n !== top.names[0])
    .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })).at(-1);
  await app.waitUntil(async () => {
    const names = (await state()).names;
    return names.includes(lastName);
  }, { timeout: 5000, timeoutMsg: `scrolling down did not draw the last row (${lastName})` });
  const bottom = await state();
  assert.ok(bottom.rows < 40, `still only the rows in view: ${bottom.rows}`);
  assert.ok(!bottom.names.includes(top.names[0]), 'the first rows are no longer drawn');
  await screenshot(app, 'scheduler-timeline-7-scrolled');

  // A drag held near the bottom edge scrolls the rows; the card lands in the row under the pointer,
  // one that was far out of view when the drag began.
  await app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    tl.scrollTop = 0;
    tl.scrollLeft = 0;
  });
  await app.waitUntil(async () => (await state()).names[0] === top.names[0], { timeout: 5000, timeoutMsg: 'the first rows are not drawn again' });
  const start = await app.execute(() => {
    const tl = document.querySelector('[data-testid="timeline"]');
    const box = tl.getBoundingClientRect();
    const view = { left: box.left + 200, right: box.left + tl.clientWidth, top: box.top + 48, bottom: box.top + tl.clientHeight };
    const rows = [...tl.querySelectorAll('[data-testid="timeline-row"]')];
    const name = (row) => row.querySelector('[data-testid="timeline-resource"]').textContent;
    const inView = rows.filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > view.top && b.top < view.bottom;
    }).map(name);
    // A card of the first row that may move, well inside the view from left to right.
    const cardEl = [...rows[0].querySelectorAll('.q3-tl-card')].find((c) => {
      const b = c.getBoundingClientRect();
      return c.querySelector('.tl-resizer') && b.left > view.left + 80 && b.left + 10 < view.right - 80 && b.top >= view.top;
    });
    if (!cardEl) return null;
    const b = cardEl.getBoundingClientRect();
    return {
      inView,
      id: cardEl.dataset.appointmentId,
      grab: { x: Math.round(b.left + 10), y: Math.round(b.top + 18) },
      bottom: Math.round(view.bottom),
    };
  });
  assert.ok(start, 'the first row shows a card that may be moved');
  const card0 = stored(start.id);
  await dragAndHold(start.grab, { x: start.grab.x, y: start.bottom - 6 });
  const scrollTopNow = () => app.execute(() => document.querySelector('[data-testid="timeline"]').scrollTop);
  await app.waitUntil(async () => (await scrollTopNow()) > 1200,
    { timeout: 30000, interval: 100 }).catch(() => {});
  // Up out of the band along the edge: the scrolling stops there.
  const drop = { x: start.grab.x, y: start.bottom - 150 };
  await mouse().move({ x: drop.x, y: drop.y, origin: 'viewport', duration: 100 }).perform(true);
  const where = () => app.execute((x, y) => {
    const tl = document.querySelector('[data-testid="timeline"]');
    const row = document.elementFromPoint(x, y)?.closest('[data-testid="timeline-row"]');
    const preview = tl.querySelector('[data-testid="timeline-preview"]')?.getBoundingClientRect();
    const under = preview && [...tl.querySelectorAll('[data-testid="timeline-row"]')].find((r) => {
      const b = r.getBoundingClientRect();
      return preview.top >= b.top && preview.top < b.bottom;
    });
    const name = (r) => r?.querySelector('[data-testid="timeline-resource"]').textContent ?? null;
    return { scrollTop: tl.scrollTop, row: name(row), preview: name(under) };
  }, drop.x, drop.y);
  await pause(200);
  const held = await where();
  await pause(500);
  const still = await where();
  assert.ok(held.scrollTop > 1200, `the rows scrolled while the card was held at the bottom edge: ${held.scrollTop} px`);
  assert.equal(still.scrollTop, held.scrollTop, 'and stopped once the pointer left the edge');
  assert.ok(held.row && !start.inView.includes(held.row), `the pointer is over a row that was out of view: ${held.row}`);
  assert.equal(held.preview, held.row, 'the dragged card is drawn in the row under the pointer');
  await release();
  await app.waitUntil(async () => stored(start.id).resource_id === resourceIds().get(held.row),
    { timeout: 10000, timeoutMsg: `the card was not stored for ${held.row}` });
  const card1 = stored(start.id);
  assert.deepEqual([card1.start, card1.end], [card0.start, card0.end], 'at its time');
  await app.waitUntil(async () => (await app.execute((cid) => document.querySelector(`[data-appointment-id="${cid}"]`)
    ?.closest('[data-testid="timeline-row"]')?.querySelector('[data-testid="timeline-resource"]').textContent, start.id)) === held.row,
  { timeout: 10000, timeoutMsg: `the card is not shown in ${held.row}'s row` });
  await screenshot(app, 'scheduler-timeline-10-dropped-after-scrolling');

  // ArrowDown from card to card goes down the rows, drawing and scrolling to those out of view.
  await app.execute(() => { document.querySelector('[data-testid="timeline"]').scrollTop = 0; });
  await app.waitUntil(async () => (await state()).names[0] === top.names[0], { timeout: 5000, timeoutMsg: 'the first rows are not drawn again' });
  const focused = () => app.execute(() => {
    const el = document.activeElement;
    const tl = document.querySelector('[data-testid="timeline"]');
    if (!el?.dataset?.appointmentId) return null;
    const b = el.getBoundingClientRect();
    const view = tl.getBoundingClientRect();
    return {
      id: el.dataset.appointmentId,
      row: el.closest('[data-testid="timeline-row"]').querySelector('[data-testid="timeline-resource"]').textContent,
      top: Math.round(b.top + tl.scrollTop),
      inView: b.top >= view.top + 48 && b.bottom <= view.top + tl.clientHeight,
    };
  });
  await app.execute(() => document.querySelector('[data-testid="timeline"] [data-testid="timeline-row"] .q3-tl-card').focus());
  let at = await focused();
  assert.ok(at, 'a card of the first row has the focus');
  const rowsSeen = new Set([at.row]);
  const outOfView = () => [...rowsSeen].some((name) => !start.inView.includes(name));
  for (let step = 0; step < 60 && !outOfView(); step++) {
    const before = at;
    await app.keys([Key.ArrowDown]);
    await app.waitUntil(async () => (at = await focused())?.id !== before.id,
      { timeout: 5000, timeoutMsg: `ArrowDown did not move on from ${JSON.stringify(before)}` });
    assert.ok(at.top > before.top, `ArrowDown goes down: ${JSON.stringify({ before, at })}`);
    assert.ok(at.inView, `the focused card is scrolled into view: ${JSON.stringify(at)}`);
    rowsSeen.add(at.row);
  }
  assert.ok(outOfView(),
    `the arrows reached rows that were out of view: ${[...rowsSeen].join(', ')}`);

  // Next week: laid out at once, as many as the store has for it.
  await click(app, '[data-testid="sched-next"]');
  await app.waitUntil(async () => (await state()).week !== monday, { timeout: 10000, timeoutMsg: 'Next did not change the week' });

  // The Day view of 100 resources: a page of the columns that fit at a readable width, the
  // planner's own first; the next page shows the next resources.
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  const columns = () => app.execute(() => {
    const pager = document.querySelector('[data-testid="resource-pager"]');
    return {
      first: Number(pager?.dataset.first),
      count: Number(pager?.dataset.count),
      total: Number(pager?.dataset.total),
      label: pager?.textContent.replace(/\s+/g, ' ').trim(),
      heads: [...document.querySelectorAll('[data-testid="scheduler"] .ec-col-head')].map((e) => e.textContent.trim()),
    };
  });
  await app.waitUntil(async () => (await columns()).heads.length > 0, { timeout: 20000, timeoutMsg: 'the Day view was not drawn' });
  const firstPage = await columns();
  assert.equal(firstPage.total, 100, `the pager counts every resource: ${JSON.stringify(firstPage)}`);
  assert.ok(firstPage.count >= 1 && firstPage.count < 100, `a page of resources, not all 100: ${firstPage.count}`);
  assert.equal(firstPage.heads.length, firstPage.count, `the Day view draws the page's columns only: ${firstPage.heads.length}`);
  assert.match(firstPage.label, new RegExp(`Resources 1–${firstPage.count} of 100`));
  await click(app, '[data-testid="resource-page-next"]');
  await app.waitUntil(async () => (await columns()).first === firstPage.count, { timeout: 10000, timeoutMsg: 'the next page was not shown' });
  const secondPage = await columns();
  assert.equal(secondPage.heads.length, secondPage.count, 'the second page draws its columns only');
  assert.ok(!secondPage.heads.some((h) => firstPage.heads.includes(h)),
    `the next page shows other resources: ${JSON.stringify([firstPage.heads, secondPage.heads])}`);
  await click(app, '[data-testid="resource-page-prev"]');
  await app.waitUntil(async () => (await columns()).first === 0, { timeout: 10000, timeoutMsg: 'Previous did not go back' });

  // The arrow keys go on past the page's edge: from the rightmost column's card, ArrowRight turns
  // to a later page and focuses a card there; ArrowLeft comes back to this page.
  const rightmost = await app.execute(() => {
    const cards = [...document.querySelectorAll('[data-testid="scheduler"] [data-appointment-id]')];
    const centre = (c) => { const b = c.getBoundingClientRect(); return b.left + b.width / 2; };
    const card = cards.sort((a, b) => centre(b) - centre(a))[0];
    card?.focus();
    return card?.dataset.appointmentId ?? null;
  });
  assert.ok(rightmost, 'a card on the first page');
  const focusedCard = () => app.execute(() => document.activeElement?.dataset?.appointmentId ?? null);
  await app.keys([Key.ArrowRight]);
  await app.waitUntil(async () => (await columns()).first > 0 && (await focusedCard()) !== null,
    { timeout: 10000, timeoutMsg: 'ArrowRight at the last column did not turn the page to a card' });
  const turned = await columns();
  assert.ok(!turned.heads.some((h) => firstPage.heads.includes(h)), `another page of resources: ${JSON.stringify(turned.heads)}`);
  const across = await focusedCard();
  assert.notEqual(across, rightmost, 'the focus is on a card of the new page');
  // ArrowLeft walks left through the page's cards (narrower cards of a column count as further
  // left), then past its first column back to the page before.
  let back = turned;
  for (let press = 0; press < 12 && back.first >= turned.first; press++) {
    const before = await focusedCard();
    await app.keys([Key.ArrowLeft]);
    await app.waitUntil(async () => ![before, null].includes(await focusedCard()),
      { timeout: 10000, timeoutMsg: `ArrowLeft did not move the focus from ${before}` });
    back = await columns();
  }
  assert.ok(back.first < turned.first, `ArrowLeft comes back past the page's edge: ${JSON.stringify({ turned: turned.first, back: back.first })}`);
  assert.equal(back.heads.length, back.count, 'the page before draws its columns');
  await screenshot(app, 'scheduler-timeline-11-day-paged-keys');
});
