// Activity (the sync journal) in the real window, against the demo emulator: after a sync that
// brought one new Outlook event, Office 365 → menu → Activity lists the run (when, what started
// it, its counts), the run opens its changes, and a change opens its appointment in the Scheduler
// (its day shown, its card focused), whose dialog tells its own history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  click, connectAccount, freshDataDir, launch, openOffice365Tab, screenshot, textOf, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
const subject = 'Journal check-up';

/** Creates an event in Megan's Outlook (the emulator's admin API), two days from now. */
async function outlookCreate(dataDir) {
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  const day = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  const response = await fetch(`http://127.0.0.1:${http}/_emulator/users/${megan}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subject,
      start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
    }),
  });
  assert.ok(response.ok, `created in Outlook: ${response.status}`);
}

async function syncCalendar(app) {
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  await click(app, '[data-testid="sync-summary"] button').catch(() => {});
}

test('Activity lists a run and its changes; a change opens its appointment in the Scheduler', async () => {
  const dataDir = freshDataDir('activity');
  const app = await launch(dataDir);
  try {
    await openOffice365Tab(app);
    await connectAccount(app, megan);
    await syncCalendar(app);
    await outlookCreate(dataDir);
    await syncCalendar(app);

    await click(app, '[data-testid="office365-menu"]');
    await click(app, '[data-testid="menu-activity"]');
    await (await app.$('[data-testid="activity-run"]')).waitForDisplayed({ timeout: 10000 });
    const dialog = await textOf(app, '[data-testid="activity-dialog"]');
    assert.match(dialog, new RegExp(megan.replace(/\./g, '\\.')), 'the runs are listed under their account');
    const runs = await app.$$('[data-testid="activity-run"]');
    assert.equal(runs.length, 2, `both syncs are listed: ${dialog}`);
    const newest = await runs[0].getText();
    assert.match(newest, /Sync Calendar/, `the newest run says what started it: ${newest}`);
    assert.match(newest, /1 created/, `and its counts per kind: ${newest}`);
    assert.match(newest, /\d+(\.\d)? s/, `and how long it took: ${newest}`);
    assert.match(await runs[1].getText(), /\d+ created/, 'the first sync created the mailbox\'s appointments');
    await screenshot(app, 'activity-runs');

    await runs[0].click();
    await (await app.$('[data-testid="activity-change"]')).waitForDisplayed({ timeout: 10000 });
    const changes = await app.$$('[data-testid="activity-change"]');
    assert.equal(changes.length, 1, 'the run made one change');
    const change = await changes[0].getText();
    assert.match(change, new RegExp(subject), `the change names its appointment: ${change}`);
    assert.match(change, /Created from Outlook/, `what it did and where from: ${change}`);
    assert.match(change, /in Quick3/, `on which side: ${change}`);
    await screenshot(app, 'activity-changes');

    await click(app, '[data-testid="activity-open"]');
    await (await app.$('[data-testid="activity-dialog"]')).waitForDisplayed({ reverse: true, timeout: 5000 });
    await (await app.$('[data-testid="accounts-table"]')).waitForDisplayed({ reverse: true, timeout: 5000 });
    let focused = null;
    await app.waitUntil(async () => {
      focused = await app.execute(() => {
        const el = document.activeElement;
        return el?.querySelector('[data-testid="card-title"]')?.textContent ?? null;
      });
      return focused === subject;
    }, { timeout: 10000, interval: 200, timeoutMsg: `the card of "${subject}" was not focused (focus on ${focused})` });
    await screenshot(app, 'activity-opened-in-scheduler');

    await app.keys('Enter');
    await (await app.$('[data-testid="appt-history-line"]')).waitForDisplayed({ timeout: 10000 });
    const history = await textOf(app, '[data-testid="appt-history"]');
    assert.match(history, /Created from Outlook, \d\d:\d\d/, `the dialog tells its own history: ${history}`);
  } finally {
    await app.deleteSession();
  }
});
