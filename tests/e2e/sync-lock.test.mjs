// Two `quick3 sync` processes and the app's push after an edit in the window, all on one account
// of one data folder at once, with Microsoft slow enough that they overlap: the account's sync
// lock (locks/account-<id>.lock) lets one sync at a time; the others wait a few seconds, then say
// plainly that a sync is running. Every edit reaches Outlook once, Quick3 holds each once, the
// window shows no error but that sentence, and a final sync finds nothing left to do.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountRow, click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, quick3, screenshot, shownCard,
  textOf, today, waitForAppointment, waitForCard, waitForText,
} from './app.mjs';

const adele = 'adele.vance@contoso.example';
/** What a sync that could not start says (crates/quick3-core/src/error.rs, `SyncRunning`). */
const BUSY = `A sync of ${adele} is already running (in another Quick3 Planner window or \`quick3\` process); `
  + 'try again when it has finished.';
let app;

after(async () => {
  await app?.deleteSession();
});

/** The demo emulator's admin API of this data folder. */
function emulator(dataDir) {
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  return `http://127.0.0.1:${http}/_emulator`;
}

/** How many events of Adele's mailbox carry each subject starting with `prefix` (as Outlook has them). */
async function outlookCounts(dataDir, prefix) {
  const response = await fetch(`${emulator(dataDir)}/users/${adele}/events`);
  assert.equal(response.status, 200);
  return countBy((await response.json()).value.map((event) => event.subject), prefix);
}

/** How many appointments of the data folder carry each title starting with `prefix` (as Quick3 has them). */
function quick3Counts(dataDir, prefix) {
  return countBy(JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).map((a) => a.title), prefix);
}

function countBy(titles, prefix) {
  const counts = {};
  for (const title of titles.filter((t) => t?.startsWith(prefix)).sort()) counts[title] = (counts[title] ?? 0) + 1;
  return counts;
}

/** Starts `quick3 --demo sync --json` on the data folder; resolves with its exit status and output. */
function startSync(dataDir) {
  return new Promise((resolve) => {
    execFile(process.env.QUICK3_CLI_BIN, ['--demo', 'sync', '--json'],
      { env: { ...process.env, QUICK3_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 120000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

/**
 * Whether a process holds an account's sync lock (an OS flock on `locks/account-*.lock` of the
 * data folder), read from /proc/locks without touching the locks.
 */
function accountLockHeld(dataDir) {
  const locks = join(dataDir, 'locks');
  const inodes = new Set(readdirSync(locks).filter((name) => name.startsWith('account-'))
    .map((name) => String(statSync(join(locks, name)).ino)));
  return readFileSync('/proc/locks', 'utf8').split('\n')
    .some((line) => inodes.has(/ [0-9a-f]+:[0-9a-f]+:(\d+) /.exec(line)?.[1]));
}

/** Records every notice (toast) the window shows from now on, with its tone, as it appears. */
async function recordToasts(browser) {
  await browser.execute(() => {
    window.q3Toasts = [];
    const seen = new WeakMap();
    const look = () => {
      for (const el of document.querySelectorAll('[data-testid="toast"]')) {
        const text = el.querySelector('span')?.textContent ?? '';
        if (seen.get(el) === text) continue;
        seen.set(el, text);
        window.q3Toasts.push({ text, error: el.classList.contains('error') });
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

test("two `quick3 sync` and the window's push at once: each edit reaches Outlook once, one plain message", async () => {
  const dataDir = freshDataDir('sync-lock');
  app = await launch(dataDir);
  await openOffice365Tab(app);
  await connectAccount(app, adele, 'up_and_down');
  await click(app, '[data-testid="close-resource-card"]');
  // The first sync brings the mailbox and the resource's demo appointments into step.
  const first = await startSync(dataDir);
  assert.equal(first.code, 0, `the first sync succeeds: ${first.stderr}`);
  assert.equal(accountLockHeld(dataDir), false, 'no sync runs now');

  // Five edits from the CLI wait in the outbox; the window's edit is typed, not yet saved.
  const tag = `Lock ${Date.now()}`;
  const titles = [...Array.from({ length: 5 }, (_, i) => `${tag} CLI ${i}`), `${tag} window`];
  for (let i = 0; i < 5; i++) {
    quick3(dataDir, 'appointment', 'add', '--resource', 'Megan Bowen', '--title', titles[i],
      '--start', `${today()}T0${i + 1}:00`, '--end', `${today()}T0${i + 1}:30`);
  }
  await click(app, '[data-testid="new-appointment"]');
  await fill(app, '[data-testid="appt-title"]', titles[5]);
  await fill(app, '[data-testid="appt-start-date"]', today());
  await fill(app, '[data-testid="appt-start-time"]', '10:00');
  await fill(app, '[data-testid="appt-end-date"]', today());
  await fill(app, '[data-testid="appt-end-time"]', '11:00');
  await recordToasts(app);

  // Microsoft answers every calendar request after 3 s: a sync takes longer than another waits.
  const faults = `${emulator(dataDir)}/faults`;
  const slow = await fetch(faults, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/v1.0/*', kind: 'slow', delayMs: 3000 }),
  });
  assert.equal(slow.status, 201);
  assert.equal((await fetch(`${emulator(dataDir)}/requests`, { method: 'DELETE' })).status, 204);
  let outcomes;
  try {
    const syncs = [startSync(dataDir), startSync(dataDir)];
    // Once one of them holds the account's lock (it is downloading), the planner saves.
    await app.waitUntil(async () => accountLockHeld(dataDir),
      { timeout: 30000, interval: 50, timeoutMsg: 'neither `quick3 sync` took the account lock' });
    await click(app, '[data-testid="appt-save"]');
    await waitForAppointment(app, titles[5]);
    outcomes = await Promise.all(syncs);
    // The push ends either uploaded (the card's waiting mark goes) or told that a sync is running.
    await app.waitUntil(async () => {
      const toasts = await app.execute(() => window.q3Toasts);
      const card = await shownCard(app, titles[5]);
      return toasts.some((t) => t.error) || (card !== null && card.upload === null);
    }, { timeout: 60000, interval: 200, timeoutMsg: "the window's push neither ended nor said why not" });
    await app.waitUntil(async () => !accountLockHeld(dataDir),
      { timeout: 60000, interval: 200, timeoutMsg: 'a sync still holds the account lock' });
  } finally {
    await fetch(faults, { method: 'DELETE' });
  }

  let synced = 0;
  for (const { code, stdout, stderr } of outcomes) {
    if (code === 0) {
      synced += 1;
      assert.equal(stderr.trim(), '', `a sync that ran says nothing on stderr: ${stderr}`);
      assert.ok(Array.isArray(JSON.parse(stdout)), `and reports its summary: ${stdout}`);
    } else {
      assert.equal(code, 1, `a sync that could not start fails with status 1: ${stderr}`);
      assert.equal(stderr.trim(), `quick3: ${BUSY}`, 'it says plainly that a sync is running, and only that');
    }
  }
  const toasts = await app.execute(() => window.q3Toasts);
  const errors = toasts.filter((t) => t.error);
  assert.ok(errors.every((t) => t.text === `Not yet in Outlook: ${BUSY} The change waits and goes with the next sync.`),
    `the window shows no error but the plain "already running": ${JSON.stringify(toasts)}`);
  assert.ok(errors.length <= 1, `that sentence once: ${JSON.stringify(toasts)}`);
  const requests = outcomes.filter((o) => o.code === 0).map((o) => JSON.parse(o.stdout)[0]?.requests);
  console.log(`${synced} of the two \`quick3 sync\` ran (Graph requests: ${requests.join(', ')}); the window's push `
    + `${errors.length ? 'was told a sync is running' : 'ran'}`);
  assert.ok(synced >= 1 || errors.length === 0, 'one of the three synced');

  const batches = await (await fetch(`${emulator(dataDir)}/requests?path=/v1.0/$batch`)).json();
  assert.equal(batches.count, 1,
    `the six uploads went out once, in one $batch, not once per sync: ${JSON.stringify(batches.value)}`);
  const once = Object.fromEntries(titles.map((t) => [t, 1]));
  // The window's edit was saved while the first sync downloaded, before it read the outbox: that
  // sync took it along, whether or not the window's own push got its turn.
  assert.deepEqual(await outlookCounts(dataDir, tag), once, 'every edit is in Outlook, once');
  assert.deepEqual(quick3Counts(dataDir, tag), once, 'and in Quick3, once (its own upload pulled back is no copy)');

  // A final sync, from the window: nothing left to send or fetch, nothing changes.
  await openOffice365Tab(app);
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  const summary = await textOf(app, '[data-testid="sync-summary"]');
  assert.match(summary, new RegExp(`${adele.replaceAll('.', '\\.')}: 0 added, 0 updated, 0 deleted, no conflicts, no errors\\.`),
    `the final sync changes nothing: ${summary}`);
  assert.match(await textOf(app, accountRow(adele)), /Connected/);
  await screenshot(app, 'sync-lock-final-sync');
  await click(app, '[data-testid="close-resource-card"]');
  const card = await waitForCard(app, titles[5], (c) => c.upload === null, 'no waiting or failed upload mark');
  assert.equal(card.upload, null);
  assert.deepEqual(await outlookCounts(dataDir, tag), once, 'Outlook is unchanged by the final sync');
  assert.deepEqual(quick3Counts(dataDir, tag), once, 'Quick3 too');
});
