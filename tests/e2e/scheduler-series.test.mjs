// A series made in the real window: Repeat in the dialog (weekly on today's and tomorrow's
// weekday, four occurrences) with the core's sentence under it; today's occurrence dragged an
// hour later (just it: it gets the changed mark), tomorrow's deleted as "this occurrence", the
// whole series renamed; Ctrl+Z twice; today's dragged again, then a new time for the whole
// series, saved after the warning that changed occurrences go back to the pattern, and taken back
// with Ctrl+Z (the dragged occurrence back at its moved time with its mark), then saved again;
// one more deleted with the Delete key;
// the whole series deleted and brought back with Ctrl+Z. Each step checks the cards a person sees and what is stored
// (`quick3 appointment list --json`: occurrences with series_id and original_start). A second
// weekly series set to Repeat Never (Outlook's "Remove recurrence"): the window says what goes
// before saving, one appointment stays, the others go, and Ctrl+Z brings the series back.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  click, fill, freshDataDir, launch, quick3, screenshot, shownCard, textOf, today, waitForAppointment, waitForCard,
  waitForText,
} from './app.mjs';

let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

const CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const day = (text) => new Date(`${text}T12:00:00`);
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
/** "Mon 14 Dec": how the toast names the day of a local date. */
const dayLabel = (text) => {
  const parts = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' }).formatToParts(day(text));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('weekday')} ${part('day')} ${part('month')}`;
};
const plus = (text, days) => {
  const d = day(text);
  d.setDate(d.getDate() + days);
  return iso(d);
};

/** The stored occurrences of the series titled `title` (any of its titles), by their local date. */
function occurrences(...titles) {
  return JSON.parse(quick3(dataDir, 'appointment', 'list', '--json'))
    .filter((a) => titles.includes(a.title) && a.series_id)
    .sort((a, b) => a.start.localeCompare(b.start));
}

/** Screen points of `times` (HH:MM) in a resource's column of the day view (see scheduler-drag). */
async function pointsAt(resource, ...times) {
  return app.execute((name, wanted) => {
    const root = document.querySelector('[data-testid="scheduler"]');
    const main = root.querySelector('.ec-main');
    const grid = root.querySelector('.ec-body .ec-grid');
    const heads = [...root.querySelectorAll('.ec-header .ec-col-head')].map((h) => h.textContent.trim());
    const column = grid.querySelectorAll('.ec-day')[heads.indexOf(name)];
    const first = root.querySelector('.ec-body .ec-sidebar time').getAttribute('datetime').slice(11, 16);
    const slot = parseFloat(getComputedStyle(main).getPropertyValue('--ec-slot-height'));
    const mins = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
    const offsets = wanted.map((at) => ((mins(at) - mins(first)) / 30) * slot);
    const middle = (offsets[0] + offsets[offsets.length - 1]) / 2;
    const body = main.getBoundingClientRect();
    main.scrollTop += grid.getBoundingClientRect().top + middle - (body.top + body.height / 2);
    const r = column.getBoundingClientRect();
    const top = grid.getBoundingClientRect().top;
    return offsets.map((offset) => ({ x: Math.round(r.left + r.width / 2), y: Math.round(top + offset) }));
  }, resource, times);
}

async function drag(from, to) {
  await app.action('pointer', { parameters: { pointerType: 'mouse' } })
    .move({ x: from.x, y: from.y, origin: 'viewport' })
    .down({ button: 0 })
    .move({ x: from.x, y: from.y + 8, origin: 'viewport', duration: 50 })
    .move({ x: to.x, y: Math.round((from.y + to.y) / 2), origin: 'viewport', duration: 100 })
    .move({ x: to.x, y: to.y, origin: 'viewport', duration: 100 })
    .up({ button: 0 })
    .perform();
}

async function nextDay() {
  const title = () => app.$('[data-testid="sched-title"]').then((e) => e.getText());
  const before = await title();
  await click(app, '[data-testid="sched-next"]');
  await app.waitUntil(async () => (await title()) !== before, { timeout: 5000, timeoutMsg: 'the day did not change' });
}

test('a weekly series made in the dialog: drag one occurrence, delete another, rename the series', async () => {
  dataDir = freshDataDir('series');
  app = await launch(dataDir);
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  await click(app, '[data-testid="sched-today"]');
  const first = today();
  const second = plus(first, 1);
  const [d1, d2] = [day(first).getDay(), day(second).getDay()];
  const title = `Machine service ${Date.now()}`;

  // Make it: the demo keeps Megan's 16:00–19:00 free every day of its fortnight (no double
  // booking may interfere: each card below is checked unflagged); drag 16:00–17:00.
  const [from, to] = await pointsAt('Megan Bowen', '16:00', '17:00');
  await drag({ x: from.x, y: from.y + 4 }, { x: to.x, y: to.y - 4 });
  await textOf(app, '[data-testid="appointment-dialog"]');
  await fill(app, '[data-testid="appt-title"]', title);
  await fill(app, '[data-testid="appt-repeat"]', 'weekly');
  const todayButton = await app.$(`[data-testid="appt-repeat-day-${CODES[d1]}"]`);
  assert.equal(await todayButton.getAttribute('aria-pressed'), 'true', 'weekly starts on the start date’s weekday');
  await click(app, `[data-testid="appt-repeat-day-${CODES[d2]}"]`);
  await click(app, '[data-testid="appt-repeat-ends-count"]');
  await fill(app, '[data-testid="appt-repeat-count"]', '4');
  const ordered = [d1, d2].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map((d) => NAMES[d]);
  await waitForText(app, '[data-testid="appt-repeat-text"]', `${ordered[0]} and ${ordered[1]}`);
  const sentence = await textOf(app, '[data-testid="appt-repeat-text"]');
  assert.match(sentence, /^Every week on .*, 4 times$/, `the core's sentence: ${sentence}`);
  await screenshot(app, 'scheduler-series-1-repeat');
  await click(app, '[data-testid="appt-save"]');

  await waitForAppointment(app, title);
  let card = await waitForCard(app, title, (c) => c.time === '16:00–17:00', 'today at 16:00–17:00');
  assert.ok(card.series && !card.exception, 'an occurrence shows the series mark, not the changed one');
  assert.ok(!card.flag, `the slot is free of the demo's appointments: ${card.tooltip}`);
  let stored = occurrences(title);
  assert.equal(stored.length, 4, `four occurrences are listed: ${JSON.stringify(stored.map((o) => o.start))}`);
  const seriesId = stored[0].series_id;
  assert.ok(stored.every((o) => o.series_id === seriesId && o.original_start), 'each names its series and original start');
  assert.deepEqual(stored.map((o) => o.start.slice(0, 10)), [first, second, plus(first, 7), plus(second, 7)]);
  await screenshot(app, 'scheduler-series-2-made');

  // Drag today's occurrence an hour later: no question, just this occurrence moves.
  const hour = (await pointsAt('Megan Bowen', '16:00', '17:00')).reduce((a, b) => b.y - a.y);
  card = await shownCard(app, title);
  await drag({ x: card.box.x, y: card.box.top + 12 }, { x: card.box.x, y: card.box.top + 12 + hour });
  card = await waitForCard(app, title, (c) => c.time === '17:00–18:00' && c.exception,
    'its new time 17:00–18:00 and the changed mark (an occurrence moved on its own)');
  assert.equal(await (await app.$('[data-testid="series-choice"]')).isExisting(), false, 'a drag asks nothing');
  stored = occurrences(title);
  assert.equal(stored[0].start.slice(11, 16), '17:00', 'stored an hour later');
  assert.equal(stored[0].exception, true, 'stored as an exception');
  assert.equal(stored[2].start.slice(11, 16), '16:00', 'next week’s occurrence keeps the pattern');
  await screenshot(app, 'scheduler-series-3-dragged');

  // Delete tomorrow's: opening its card asks; "This occurrence", then Delete removes just it.
  await nextDay();
  card = await waitForCard(app, title, (c) => c.time === '16:00–17:00', 'tomorrow at 16:00–17:00');
  await (await app.$(`[data-appointment-id="${card.id}"]`)).click();
  await textOf(app, '[data-testid="series-choice"]');
  await click(app, '[data-testid="series-choice-occurrence"]');
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.match(await textOf(app, '[data-testid="appt-occurrence-note"]'), /One occurrence of a series/);
  await click(app, '[data-testid="appt-delete"]');
  await waitForText(app, '[data-testid="toast"]', `Deleted the occurrence of ${dayLabel(second)}`);
  await app.waitUntil(async () => (await shownCard(app, title)) === null,
    { timeout: 10000, timeoutMsg: 'the deleted occurrence is still shown' });
  stored = occurrences(title);
  assert.deepEqual(stored.map((o) => o.start.slice(0, 10)), [first, plus(first, 7), plus(second, 7)],
    'tomorrow’s occurrence is gone, the others stay');
  await screenshot(app, 'scheduler-series-4-deleted');

  // Rename the whole series from today's moved occurrence: no warning (only the subject changes).
  const renamed = `${title} (renamed)`;
  await click(app, '[data-testid="sched-today"]');
  card = await waitForCard(app, title, (c) => c.exception, 'today’s moved occurrence');
  await (await app.$(`[data-appointment-id="${card.id}"]`)).click();
  await click(app, '[data-testid="series-choice-series"]');
  await textOf(app, '[data-testid="appointment-dialog"]');
  assert.equal(await (await app.$('[data-testid="appt-repeat"]')).getValue(), 'weekly', 'the series opens with its pattern');
  await fill(app, '[data-testid="appt-title"]', renamed);
  await click(app, '[data-testid="appt-save"]');
  await app.waitUntil(async () => !(await (await app.$('[data-testid="appointment-dialog"]')).isExisting()),
    { timeout: 10000, timeoutMsg: 'saving a subject asks nothing and closes the dialog' });
  stored = occurrences(title, renamed);
  assert.equal(stored.length, 3);
  assert.ok(stored.slice(1).every((o) => o.title === renamed), `the pattern's occurrences are renamed: ${JSON.stringify(stored.map((o) => o.title))}`);
  assert.equal(stored[0].start.slice(11, 16), '17:00', 'a subject change keeps the moved occurrence where it was');
  const shownNow = await shownCard(app, stored[0].title);
  assert.ok(shownNow?.exception && shownNow.time === '17:00–18:00', 'today’s card still shows the move and its mark');
  await screenshot(app, 'scheduler-series-5-renamed');

  // Ctrl+Z takes back the deletion (tomorrow's occurrence is listed again), then the drag.
  await app.keys(['Control', 'z']);
  await waitForText(app, '[data-testid="toast"]', 'Appointment restored');
  await app.waitUntil(async () => occurrences(title, renamed).length === 4,
    { timeout: 10000, timeoutMsg: 'Ctrl+Z did not bring the deleted occurrence back' });
  assert.equal(occurrences(title, renamed)[1].start.slice(0, 10), second, 'tomorrow’s occurrence is back');
  await app.keys(['Control', 'z']);
  await waitForText(app, '[data-testid="toast"]', 'Move undone');
  await waitForCard(app, renamed, (c) => c.time === '16:00–17:00' && !c.exception,
    'today’s occurrence back at 16:00, a plain occurrence again (no changed mark)');
  assert.equal(occurrences(title, renamed)[0].start.slice(11, 16), '16:00', 'stored back at 16:00');
  assert.ok(!occurrences(title, renamed)[0].exception, 'the undone drag leaves no exception');
  await screenshot(app, 'scheduler-series-6-undone');

  // Today's dragged an hour later again, to see a new time of the series reset it and Ctrl+Z
  // bring it back.
  card = await shownCard(app, renamed);
  await drag({ x: card.box.x, y: card.box.top + 12 }, { x: card.box.x, y: card.box.top + 12 + hour });
  await waitForCard(app, renamed, (c) => c.time === '17:00–18:00' && c.exception, 'dragged to 17:00–18:00 again, marked');

  // A new time for the whole series: the planner is told that changed occurrences go back to the
  // pattern, and they do once saved anyway.
  const newTime = async () => {
    card = await waitForCard(app, renamed, () => true, 'today’s occurrence');
    await (await app.$(`[data-appointment-id="${card.id}"]`)).click();
    await click(app, '[data-testid="series-choice-series"]');
    await textOf(app, '[data-testid="appointment-dialog"]');
    // 18:00: still in Megan's free evening (15:00 would meet the demo's 14:30–15:30 calls).
    await fill(app, '[data-testid="appt-start-time"]', '18:00');
    await click(app, '[data-testid="appt-save"]');
    assert.match(await textOf(app, '[data-testid="appt-reset-warning"]'), /go back to the pattern/);
    assert.ok(occurrences(title, renamed).some((o) => o.exception), 'nothing is saved before the planner agrees');
  };
  await newTime();
  await screenshot(app, 'scheduler-series-7-reset-warning');
  await click(app, '[data-testid="appt-save"]');
  card = await waitForCard(app, renamed, (c) => c.time === '18:00–19:00' && !c.exception, 'the new time, unmarked');
  // Today's dragged one and tomorrow's (restored with its old subject) went back to the pattern.
  await waitForText(app, '[data-testid="toast"]', '2 changed occurrences went back to the pattern');

  // Ctrl+Z: the series' old time and both changed occurrences come back.
  await app.keys(['Control', 'z']);
  await waitForText(app, '[data-testid="toast"]', `Restored the series “${renamed}” and its 2 changed occurrences`);
  card = await waitForCard(app, renamed, (c) => c.time === '17:00–18:00' && c.exception,
    'today’s dragged occurrence back at its moved time 17:00–18:00, with the changed mark');
  stored = occurrences(title, renamed);
  assert.deepEqual(stored.map((o) => o.start.slice(11, 16)), ['17:00', '16:00', '16:00', '16:00'],
    `the series at 16:00 again, today's moved one at 17:00: ${JSON.stringify(stored.map((o) => o.start))}`);
  assert.ok(stored[0].exception && stored[1].exception, 'both are changed occurrences again');
  await screenshot(app, 'scheduler-series-8-reset-undone');

  // And the new time once more, for what follows.
  await newTime();
  await click(app, '[data-testid="appt-save"]');
  card = await waitForCard(app, renamed, (c) => c.time === '18:00–19:00' && !c.exception, 'the new time, unmarked');
  assert.ok(!card.flag, `the new time is free of the demo's appointments too: ${card.tooltip}`);
  stored = occurrences(title, renamed);
  assert.deepEqual(stored.map((o) => o.start.slice(11, 16)), ['18:00', '18:00', '18:00', '18:00'],
    `every occurrence follows the new time: ${JSON.stringify(stored.map((o) => o.start))}`);
  assert.ok(stored.every((o) => !o.exception && o.title === renamed), 'no changed occurrence is left');
  await screenshot(app, 'scheduler-series-9-new-time');

  // The Delete key on a focused occurrence asks too; "This occurrence" deletes just it.
  for (let step = 0; step < 7; step++) await nextDay();
  card = await waitForCard(app, renamed, (c) => c.time === '18:00–19:00', 'next week’s occurrence');
  await app.execute((id) => document.querySelector(`[data-appointment-id="${id}"]`).focus(), card.id);
  await app.keys(['Delete']);
  await textOf(app, '[data-testid="series-choice"]');
  await click(app, '[data-testid="series-choice-occurrence"]');
  await waitForText(app, '[data-testid="toast"]', `Deleted the occurrence of ${dayLabel(plus(first, 7))}`);
  await app.waitUntil(async () => (await shownCard(app, renamed)) === null,
    { timeout: 10000, timeoutMsg: 'the occurrence deleted by key is still shown' });
  assert.deepEqual(occurrences(title, renamed).map((o) => o.start.slice(0, 10)), [first, second, plus(second, 7)],
    'only that day’s occurrence is gone');

  // The whole series deleted from its last occurrence, and Ctrl+Z brings all of it back.
  await nextDay();
  card = await waitForCard(app, renamed, (c) => c.time === '18:00–19:00', 'the last occurrence');
  await app.execute((id) => document.querySelector(`[data-appointment-id="${id}"]`).focus(), card.id);
  await app.keys(['Delete']);
  await click(app, '[data-testid="series-choice-series"]');
  await waitForText(app, '[data-testid="toast"]', `Deleted the series “${renamed}” (3 occurrences)`);
  await app.waitUntil(async () => (await shownCard(app, renamed)) === null,
    { timeout: 10000, timeoutMsg: 'the deleted series is still shown' });
  assert.deepEqual(occurrences(title, renamed), [], 'no occurrence of the deleted series is listed');
  await app.keys(['Control', 'z']);
  await waitForText(app, '[data-testid="toast"]', 'Appointment restored');
  await waitForCard(app, renamed, (c) => c.time === '18:00–19:00', 'the last occurrence again after Ctrl+Z');
  assert.deepEqual(occurrences(title, renamed).map((o) => o.start.slice(0, 10)), [first, second, plus(second, 7)],
    'the series comes back as it was, its deleted occurrence still deleted');
  await screenshot(app, 'scheduler-series-10-series-restored');
});

test('Repeat Never on a whole series leaves one appointment, and Ctrl+Z brings the series back', async () => {
  assert.ok(app, 'runs in the window the first test opened');
  await click(app, '[data-testid="sched-today"]');
  const first = today();
  const title = `Crew briefing ${Date.now()}`;

  // A weekly series of 3 on today's weekday, 16:00–17:00 (the first series moved to 18:00).
  const [from, to] = await pointsAt('Megan Bowen', '16:00', '17:00');
  await drag({ x: from.x, y: from.y + 4 }, { x: to.x, y: to.y - 4 });
  await textOf(app, '[data-testid="appointment-dialog"]');
  await fill(app, '[data-testid="appt-title"]', title);
  await fill(app, '[data-testid="appt-repeat"]', 'weekly');
  await click(app, '[data-testid="appt-repeat-ends-count"]');
  await fill(app, '[data-testid="appt-repeat-count"]', '3');
  await waitForText(app, '[data-testid="appt-repeat-text"]', '3 times');
  await click(app, '[data-testid="appt-save"]');
  let card = await waitForCard(app, title, (c) => c.time === '16:00–17:00' && c.series, 'today’s occurrence');
  assert.deepEqual(occurrences(title).map((o) => o.start.slice(0, 10)), [first, plus(first, 7), plus(first, 14)]);
  const seriesId = occurrences(title)[0].series_id;

  // Open it as the whole series and choose Never: the window says what goes, and saves nothing yet.
  await (await app.$(`[data-appointment-id="${card.id}"]`)).click();
  await click(app, '[data-testid="series-choice-series"]');
  await textOf(app, '[data-testid="appointment-dialog"]');
  await fill(app, '[data-testid="appt-repeat"]', 'never');
  await click(app, '[data-testid="appt-save"]');
  const warning = await textOf(app, '[data-testid="appt-single-warning"]');
  assert.match(warning, /^The series becomes one appointment on .* 16:00–17:00; its 2 other occurrences are removed\./,
    `the core's sentence names exactly what goes: ${warning}`);
  assert.equal(occurrences(title).length, 3, 'nothing is removed before the planner agrees');
  assert.equal(await textOf(app, '[data-testid="appt-save"]'), 'Remove occurrences');
  await screenshot(app, 'scheduler-series-10-never-asked');
  await click(app, '[data-testid="appt-save"]');
  await waitForText(app, '[data-testid="toast"]', 'The series becomes one appointment');
  card = await waitForCard(app, title, (c) => c.time === '16:00–17:00' && !c.series, 'one appointment, no series mark');
  const listed = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).filter((a) => a.title === title);
  assert.equal(listed.length, 1, `one appointment is left: ${JSON.stringify(listed.map((a) => a.start))}`);
  assert.equal(listed[0].series_id, null, 'no occurrence of a series any more');
  assert.equal(listed[0].start.slice(0, 10), first, 'at the series’ first occurrence');
  for (let step = 0; step < 7; step++) await nextDay();
  await app.waitUntil(async () => (await shownCard(app, title)) === null,
    { timeout: 10000, timeoutMsg: 'next week’s occurrence is still shown' });
  await screenshot(app, 'scheduler-series-11-never-saved');

  // Ctrl+Z: the series is back with its three occurrences, next week's shown again.
  await app.keys(['Control', 'z']);
  await waitForText(app, '[data-testid="toast"]', 'Series restored');
  await waitForCard(app, title, (c) => c.time === '16:00–17:00' && c.series, 'next week’s occurrence again');
  const back = occurrences(title);
  assert.deepEqual(back.map((o) => o.start.slice(0, 10)), [first, plus(first, 7), plus(first, 14)],
    'the series comes back as it was');
  assert.ok(back.every((o) => o.series_id === seriesId), 'under its own id');
  await screenshot(app, 'scheduler-series-12-never-undone');
});
