// A sync conflict in the real window: an appointment made in Quick3 is renamed both in Quick3
// (the CLI) and in Outlook (the emulator) and synced. Its card carries the conflict mark in the
// Day view and in the Timeline; opening it shows both versions side by side with only the subject
// marked as differing; Keep Outlook's settles it, a plain message says so, the card shows
// Outlook's subject, and later syncs change nothing on either side. A series made in Quick3 renamed
// in Quick3 while Outlook renames it and adds an occurrence: its occurrence's card carries the mark,
// the dialog shows the Repeat row marked with the subject, and Keep Outlook's takes Outlook's
// subject and pattern into the series.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  click, connectAccount, freshDataDir, launch, openOffice365Tab, quick3, screenshot, shownCard, today, waitForCard,
} from './app.mjs';

const adele = 'adele.vance@contoso.example';
const MARK = 'Conflict: changed in Quick3 and in Outlook';
let app;

after(async () => {
  await app?.deleteSession();
});

/** The demo emulator's admin API of this data folder. */
function emulator(dataDir) {
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  return `http://127.0.0.1:${http}/_emulator`;
}

/** Adele's events in Outlook whose subject starts with `prefix`. */
async function outlookEvents(dataDir, prefix) {
  const response = await fetch(`${emulator(dataDir)}/users/${adele}/events`);
  assert.equal(response.status, 200);
  return (await response.json()).value.filter((e) => e.subject?.startsWith(prefix));
}

/** `quick3 --demo sync --json` on the data folder: Adele's summary. */
function sync(dataDir) {
  return JSON.parse(quick3(dataDir, '--demo', 'sync', '--json'))[0];
}

/** Reloads the window (the CLI changed the store behind it) and waits for the Scheduler. */
async function reload(browser) {
  await browser.execute(() => location.reload());
  await (await browser.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 20000 });
}

test("a conflict shows its mark in both views and is settled with Keep Outlook's", async () => {
  const dataDir = freshDataDir('conflicts');
  app = await launch(dataDir);
  await openOffice365Tab(app);
  // The Office 365 tab opens on the planner's own resource, Megan Bowen: Adele's mailbox is hers.
  await connectAccount(app, adele, 'up_and_down');
  await click(app, '[data-testid="close-resource-card"]');

  const tag = `Visit ${Date.now()}`;
  quick3(dataDir, 'appointment', 'add', '--resource', 'Megan Bowen', '--title', tag,
    '--start', `${today()}T10:00`, '--end', `${today()}T10:30`);
  assert.equal(sync(dataDir).errors.length, 0, 'the first sync uploads it');
  const [event] = await outlookEvents(dataDir, tag);
  assert.ok(event, 'it is in Outlook');
  const id = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).find((a) => a.title === tag).id;

  // Changed on both sides: Quick3's title, Outlook's title.
  quick3(dataDir, 'appointment', 'edit', id, '--title', `${tag} (Quick3)`);
  const patched = await fetch(`${emulator(dataDir)}/users/${adele}/events/${encodeURIComponent(event.id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: `${tag} (Outlook)` }),
  });
  assert.ok(patched.ok, `Outlook renames it: ${patched.status}`);
  const found = sync(dataDir);
  assert.equal(found.conflicts, 1, `the sync holds one conflict: ${JSON.stringify(found)}`);
  assert.equal(JSON.parse(quick3(dataDir, 'sync', 'conflicts', '--json')).length, 1);

  // The mark, in the Day view and in the Timeline, with its accessible name.
  await reload(app);
  const marked = (c) => c.upload === 'conflict' && c.label?.includes(MARK);
  let card = await waitForCard(app, `${tag} (Quick3)`, marked, 'the conflict mark', 20000);
  assert.equal(await app.execute((cardId) => {
    const el = document.querySelector(`[data-appointment-id="${cardId}"] [data-testid="card-conflict"]`);
    return el?.getAttribute('aria-label') === el?.getAttribute('title') ? el?.getAttribute('aria-label') : null;
  }, card.id), MARK, 'the mark itself is named and titled');
  await screenshot(app, 'conflict-mark-day');
  await click(app, '[data-testid="view-resourceTimelineWeek"]');
  card = await waitForCard(app, `${tag} (Quick3)`, marked, 'the conflict mark in the Timeline', 20000);
  await screenshot(app, 'conflict-mark-timeline');
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  card = await waitForCard(app, `${tag} (Quick3)`, marked, 'the conflict mark back in the Day view');

  // Opening it: both versions side by side, only the subject marked.
  await click(app, `[data-appointment-id="${card.id}"]`);
  await (await app.$('[data-testid="conflict-dialog"]')).waitForDisplayed({ timeout: 10000 });
  await app.waitUntil(async () => (await app.$$('[data-testid="conflict-row"]')).length === 5,
    { timeout: 10000, timeoutMsg: 'the versions never showed' });
  const rows = await app.execute(() => [...document.querySelectorAll('[data-testid="conflict-row"]')].map((r) => ({
    field: r.dataset.field,
    differs: r.dataset.differs === 'true',
    quick3: r.querySelector('[data-testid="conflict-quick3"]').textContent,
    outlook: r.querySelector('[data-testid="conflict-outlook"]').textContent,
  })));
  assert.deepEqual(rows.filter((r) => r.differs).map((r) => r.field), ['subject'], 'only the subject differs');
  assert.deepEqual(rows[0], { field: 'subject', differs: true, quick3: `${tag} (Quick3)`, outlook: `${tag} (Outlook)` });
  assert.equal(rows[1].quick3, rows[1].outlook, 'the same time on both sides');
  await screenshot(app, 'conflict-dialog');

  await click(app, '[data-testid="conflict-keep-outlook"]');
  await app.waitUntil(async () => (await app.$$('[data-testid="conflict-dialog"]')).length === 0,
    { timeout: 10000, timeoutMsg: 'the dialog stayed open' });
  const toast = await app.$('[data-testid="toast"]');
  await toast.waitForDisplayed({ timeout: 10000 });
  assert.match(await toast.getText(), /now holds Outlook's version \(adele\.vance@contoso\.example\)\./);
  card = await waitForCard(app, `${tag} (Outlook)`, (c) => c.upload === null, "Outlook's subject without a mark", 20000);
  assert.equal(await shownCard(app, `${tag} (Quick3)`), null, "Quick3's version is gone from the Scheduler");
  await screenshot(app, 'conflict-settled');

  // Settled: later syncs change nothing, each side holds Outlook's version once.
  for (const later of [sync(dataDir), sync(dataDir)]) {
    assert.deepEqual([later.added, later.updated, later.deleted, later.conflicts], [0, 0, 0, 0], JSON.stringify(later));
  }
  assert.deepEqual((await outlookEvents(dataDir, tag)).map((e) => e.subject), [`${tag} (Outlook)`]);
  assert.deepEqual(JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).filter((a) => a.title.startsWith(tag))
    .map((a) => a.title), [`${tag} (Outlook)`]);
  assert.equal(quick3(dataDir, 'sync', 'conflicts').trim(), 'No conflicts.');
});

test("a series changed on both sides shows its Repeat row and is settled with Keep Outlook's", async () => {
  await app?.deleteSession();
  app = undefined;
  const dataDir = freshDataDir('conflicts-series');
  app = await launch(dataDir);
  await openOffice365Tab(app);
  await connectAccount(app, adele, 'up_and_down');
  await click(app, '[data-testid="close-resource-card"]');

  const tag = `Rounds ${Date.now()}`;
  quick3(dataDir, 'appointment', 'add', '--resource', 'Megan Bowen', '--title', tag,
    '--start', `${today()}T13:00`, '--end', `${today()}T13:30`, '--repeat', 'daily', '--count', '3');
  assert.equal(sync(dataDir).errors.length, 0, 'the first sync uploads the series');
  const masters = (await outlookEvents(dataDir, tag)).filter((e) => e.type === 'seriesMaster');
  assert.equal(masters.length, 1, 'one series in Outlook');
  const seriesId = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).find((a) => a.title === tag).series_id;
  assert.ok(seriesId, 'listed as occurrences of the series');

  // Changed on both sides: Quick3 renames the series; Outlook renames it and adds an occurrence.
  quick3(dataDir, 'appointment', 'edit', seriesId, '--series', '--title', `${tag} (Quick3)`);
  const patched = await fetch(`${emulator(dataDir)}/users/${adele}/events/${encodeURIComponent(masters[0].id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subject: `${tag} (Outlook)`,
      recurrence: { ...masters[0].recurrence, range: { ...masters[0].recurrence.range, numberOfOccurrences: 4 } },
    }),
  });
  assert.ok(patched.ok, `Outlook renames it and adds an occurrence: ${patched.status}`);
  const found = sync(dataDir);
  assert.equal(found.conflicts, 1, `the sync holds one conflict, the series': ${JSON.stringify(found)}`);

  // Today's occurrence carries its series' mark; opening it shows the series' versions.
  await reload(app);
  const marked = (c) => c.upload === 'conflict' && c.label?.includes(MARK);
  const card = await waitForCard(app, `${tag} (Quick3)`, marked, "the occurrence shows its series' conflict", 20000);
  await click(app, `[data-appointment-id="${card.id}"]`);
  await (await app.$('[data-testid="conflict-dialog"]')).waitForDisplayed({ timeout: 10000 });
  await app.waitUntil(async () => (await app.$$('[data-testid="conflict-row"]')).length === 6,
    { timeout: 10000, timeoutMsg: 'the versions of a series (with its Repeat row) never showed' });
  const rows = await app.execute(() => [...document.querySelectorAll('[data-testid="conflict-row"]')].map((r) => ({
    field: r.dataset.field,
    differs: r.dataset.differs === 'true',
    quick3: r.querySelector('[data-testid="conflict-quick3"]').textContent,
    outlook: r.querySelector('[data-testid="conflict-outlook"]').textContent,
  })));
  assert.deepEqual(rows.filter((r) => r.differs).map((r) => r.field), ['subject', 'pattern'],
    `the subject and the Repeat row differ: ${JSON.stringify(rows)}`);
  const repeat = rows.find((r) => r.field === 'pattern');
  assert.deepEqual([repeat.quick3, repeat.outlook], ['Every day, 3 times', 'Every day, 4 times'],
    "each side's pattern in words: Quick3's three occurrences, Outlook's four");
  await screenshot(app, 'conflict-dialog-series');

  await click(app, '[data-testid="conflict-keep-outlook"]');
  await app.waitUntil(async () => (await app.$$('[data-testid="conflict-dialog"]')).length === 0,
    { timeout: 10000, timeoutMsg: 'the dialog stayed open' });
  await waitForCard(app, `${tag} (Outlook)`, (c) => c.upload === null, "Outlook's subject without a mark", 20000);
  assert.equal(await shownCard(app, `${tag} (Quick3)`), null, "Quick3's version is gone from the Scheduler");

  // Settled: later syncs change nothing; the series has Outlook's subject and four occurrences.
  for (const later of [sync(dataDir), sync(dataDir)]) {
    assert.deepEqual([later.added, later.updated, later.deleted, later.conflicts], [0, 0, 0, 0], JSON.stringify(later));
  }
  const listed = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).filter((a) => a.series_id === seriesId);
  assert.deepEqual(listed.map((a) => a.title), Array(4).fill(`${tag} (Outlook)`), "Outlook's subject and pattern");
  const after = (await outlookEvents(dataDir, tag)).filter((e) => e.type === 'seriesMaster');
  assert.deepEqual(after.map((e) => e.subject), [`${tag} (Outlook)`], 'one series in Outlook, as it was');
  assert.equal(quick3(dataDir, 'sync', 'conflicts').trim(), 'No conflicts.');
});
