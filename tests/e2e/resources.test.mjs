// Resources managed where they are planned, in the real window: a room added with + Resource,
// renamed on its card, archived (gone from the Scheduler, its appointment kept in the history the
// CLI lists) and restored, and another resource deleted with its appointments after the plain question;
// then, with local management's right withdrawn, no + Resource and the General tab saying why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { click, fill, freshDataDir, launch, quick3, resourceIdsByName, screenshot, textOf, waitForAppointment, waitForText } from './app.mjs';

let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

/** The resource columns the Day view draws (what a person reads over the columns). */
async function columns() {
  return app.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-col-head, [data-testid="scheduler"] .ec-resource')]
      .map((e) => e.textContent.trim()).filter(Boolean));
}

async function waitForColumns(check, what) {
  let seen = [];
  try {
    await app.waitUntil(async () => check((seen = await columns())), { timeout: 10000, interval: 200 });
  } catch {
    throw new Error(`${what}; the Scheduler's columns: ${JSON.stringify(seen)}`);
  }
}

/** Today in the machine's zone as YYYY-MM-DD (the Day view opens on it). */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function appointments() {
  return JSON.parse(quick3(dataDir, 'appointment', 'list', '--json'));
}

async function openCardOf(name) {
  await click(app, '[data-testid="resource-filter"]');
  await click(app, `[data-testid="edit-resource"][data-resource="${name}"]`);
  await (await app.$('[data-testid="resource-card"]')).waitForDisplayed({ timeout: 10000 });
}

test('a room added with + Resource gets a column in the Scheduler', async () => {
  dataDir = freshDataDir('resources');
  app = await launch(dataDir);
  await click(app, '[data-testid="add-resource"]');
  await fill(app, '[data-testid="resource-name"]', 'Lab 7');
  await fill(app, '[data-testid="resource-hours-start"]', '07:00');
  await fill(app, '[data-testid="resource-hours-end"]', '16:00');
  await screenshot(app, 'resources-add');
  await click(app, '[data-testid="resource-save"]');
  await waitForText(app, '[data-testid="toast"]', 'Added the room Lab 7.');
  await waitForColumns((c) => c.some((name) => name.includes('Lab 7')), 'no column for the new room');
  const lab = JSON.parse(quick3(dataDir, 'resource', 'show', 'Lab 7', '--json'));
  assert.deepEqual([lab.kind, lab.hours], ['room', { start: '07:00', end: '16:00' }], 'stored as typed in the window');
});

test('the same name for a second room is refused in plain words and nothing is added', async () => {
  await click(app, '[data-testid="add-resource"]');
  await fill(app, '[data-testid="resource-name"]', 'lab 7');
  await click(app, '[data-testid="resource-save"]');
  const said = await textOf(app, '[data-testid="resource-error"]');
  assert.match(said, /A room called "lab 7" already exists \(id \d+\): give this one another name\./);
  await click(app, '[data-testid="add-resource-dialog"] button.button:not(.primary)');
  assert.equal(JSON.parse(quick3(dataDir, 'resource', 'list', '--json')).filter((r) => /lab 7/i.test(r.name)).length, 1);
});

test('renamed on its card, archived (gone from the Scheduler, its appointment kept as history), restored', async () => {
  quick3(dataDir, 'appointment', 'add', '--resource', 'Lab 7', '--title', 'Calibration',
    '--start', `${today()}T10:00`, '--end', `${today()}T11:00`);
  await openCardOf('Lab 7');
  await fill(app, '[data-testid="resource-card"] [data-testid="resource-name"]', 'Lab 7 East');
  await click(app, '[data-testid="resource-card"] [data-testid="resource-save"]');
  await waitForText(app, '[data-testid="toast"]', 'Saved Lab 7 East.');
  assert.equal(await textOf(app, '#resource-card-title'), 'Lab 7 East', 'the card shows the new name');
  await waitForColumns((c) => c.some((name) => name.includes('Lab 7 East')), 'the column was not renamed');
  await waitForAppointment(app, 'Calibration');

  const labId = resourceIdsByName(dataDir).get('Lab 7 East');
  await click(app, '[data-testid="resource-archive"]');
  await waitForText(app, '[data-testid="archive-resource-question"]', 'Archive the room "Lab 7 East"? It leaves the Scheduler');
  await click(app, '[data-testid="archive-resource-confirm"]');
  await waitForText(app, '[data-testid="toast"]', 'Archived Lab 7 East: it is out of the Scheduler; its appointments are kept');
  await waitForColumns((c) => !c.some((name) => name.includes('Lab 7')), 'the archived room still has a column');
  const shown = await app.execute(() => document.body.innerText);
  assert.ok(!shown.includes('Calibration'), 'its appointment left the Scheduler with it');
  assert.ok(
    appointments().some((a) => a.title === 'Calibration' && a.resource_id === labId),
    'its appointment is kept in the history the CLI lists',
  );
  const listed = JSON.parse(quick3(dataDir, 'resource', 'list', '--archived', '--json')).find((r) => r.id === labId);
  assert.equal(listed?.archived, true, 'listed as archived with --archived');
  await screenshot(app, 'resources-archived');

  await click(app, '[data-testid="add-resource"]');
  await click(app, '[data-testid="restore-resource"][data-resource="Lab 7 East"]');
  await waitForText(app, '[data-testid="toast"]', 'Restored Lab 7 East: it is back in the Scheduler with its appointments.');
  await waitForColumns((c) => c.some((name) => name.includes('Lab 7 East')), 'the restored room has no column');
  await waitForAppointment(app, 'Calibration');
});

test('Boardroom deleted with its appointments after the plain question', async () => {
  const boardroomId = resourceIdsByName(dataDir).get('Boardroom');
  const booked = appointments().filter((a) => a.resource_id === boardroomId).length;
  assert.ok(booked > 0, 'the demo books the Boardroom');
  await openCardOf('Boardroom');
  await click(app, '[data-testid="resource-delete"]');
  await waitForText(app, '[data-testid="delete-resource-question"]', 'The room "Boardroom" has');
  const question = await textOf(app, '[data-testid="delete-resource-question"]');
  assert.match(question, /Keep its appointments as history, move them to another resource, or delete them with it\?/);
  await click(app, '[data-testid="delete-with-it"]');
  await screenshot(app, 'resources-delete-question');
  await click(app, '[data-testid="delete-resource-confirm"]');
  await waitForText(app, '[data-testid="toast"]', 'Deleted the room "Boardroom".');
  const toast = await textOf(app, '[data-testid="toast"]');
  assert.ok(toast.includes('were deleted') || toast.includes('was deleted'), `the message says what happened: ${toast}`);
  await waitForColumns((c) => !c.some((name) => name.includes('Boardroom')), 'the deleted room still has a column');
  assert.equal(appointments().filter((a) => a.resource_id === boardroomId).length, 0, 'its appointments were deleted');
  assert.ok(!resourceIdsByName(dataDir).has('Boardroom'), 'the CLI lists it no more');
});

test('without the right to edit Resource settings: no + Resource, and the card says why', async () => {
  quick3(dataDir, 'admin', 'deny-edit');
  await app.deleteSession();
  app = await launch(dataDir);
  await openCardOf('Lab 7 East');
  assert.equal(
    await textOf(app, '[data-testid="resource-gate"]'),
    'You do not have the right to edit Resource settings. Ask your local management to grant it.',
    'the General tab says plainly why nothing can be changed',
  );
  for (const control of ['resource-save', 'resource-archive', 'resource-delete']) {
    assert.equal(await (await app.$(`[data-testid="${control}"]`)).isExisting(), false, `no ${control} without the right`);
  }
  assert.equal(await (await app.$('[data-testid="add-resource"]')).isExisting(), false, 'no + Resource without the right');
  await screenshot(app, 'resources-no-right');
});
