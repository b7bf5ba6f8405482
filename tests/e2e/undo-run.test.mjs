// Undo and Preview in the real window, against the demo emulator: a sync that brought an
// Outlook deletion down is undone from Activity (Undo this run says first what it puts back, then
// does it: the appointment is back in Quick3 and, uploaded, in Outlook, once); Sync Calendar →
// Preview changes lists what a sync would change, grouped by kind, changes nothing, and Apply
// syncs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  click, connectAccount, freshDataDir, launch, openOffice365Tab, quick3, screenshot, textOf, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';

function emulator(dataDir) {
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  return `http://127.0.0.1:${http}/_emulator/users/${megan}/events`;
}

/** Creates an event in Megan's Outlook, two days from now; its id. */
async function outlookCreate(dataDir, subject) {
  const day = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  const response = await fetch(emulator(dataDir), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subject,
      start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
    }),
  });
  assert.ok(response.ok, `created in Outlook: ${response.status}`);
  return (await response.json()).id;
}

async function outlookDelete(dataDir, id) {
  const response = await fetch(`${emulator(dataDir)}/${encodeURIComponent(id)}`, { method: 'DELETE' });
  assert.ok(response.ok, `deleted in Outlook: ${response.status}`);
}

/** How many of Megan's Outlook events have this subject. */
async function inOutlook(dataDir, subject) {
  const listed = await (await fetch(emulator(dataDir))).json();
  return listed.value.filter((e) => e.subject === subject).length;
}

/** How many stored appointments have this title (the CLI on the app's data folder). */
function inQuick3(dataDir, title) {
  return JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).filter((a) => a.title === title).length;
}

async function syncCalendar(app) {
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  await click(app, '[data-testid="sync-summary"] button').catch(() => {});
}

test('Undo this run restores an appointment a sync deleted, on both sides, once', async () => {
  const subject = 'Undo check-up';
  const dataDir = freshDataDir('undo-run');
  const app = await launch(dataDir);
  try {
    await openOffice365Tab(app);
    // Up and Down: the restored appointment, its event gone, goes up as Quick3's own.
    await connectAccount(app, megan, 'up_and_down');
    await syncCalendar(app);
    const id = await outlookCreate(dataDir, subject);
    await syncCalendar(app);
    assert.equal(inQuick3(dataDir, subject), 1, 'the event came down');
    await outlookDelete(dataDir, id);
    await syncCalendar(app);
    assert.equal(inQuick3(dataDir, subject), 0, 'its deletion came down');

    await click(app, '[data-testid="office365-menu"]');
    await click(app, '[data-testid="menu-activity"]');
    await (await app.$('[data-testid="activity-run"]')).waitForDisplayed({ timeout: 10000 });
    await (await app.$$('[data-testid="activity-run"]'))[0].click();
    await (await app.$('[data-testid="activity-change"]')).waitForDisplayed({ timeout: 10000 });
    await click(app, '[data-testid="activity-undo"]');
    await waitForText(app, '[data-testid="undo-headline"]', 'Undo puts back 1 appointment', 30000);
    const said = await textOf(app, '[data-testid="undo-items"]');
    assert.match(said, new RegExp(subject), `the undo names the appointment: ${said}`);
    assert.match(said, /Restored in Quick3 Planner as its own appointment/, `and says what it does: ${said}`);
    assert.equal(inQuick3(dataDir, subject), 0, 'saying it changed nothing');
    await screenshot(app, 'undo-said');

    await click(app, '[data-testid="undo-apply"]');
    await waitForText(app, '[data-testid="undo-headline"]', 'Put back 1 appointment.', 60000);
    await screenshot(app, 'undo-done');
    assert.equal(inQuick3(dataDir, subject), 1, 'the appointment is back in Quick3, once');
    assert.equal(await inOutlook(dataDir, subject), 1, 'and in Outlook, once');

    await click(app, '[data-testid="activity-close"]');
    await syncCalendar(app);
    assert.equal(inQuick3(dataDir, subject), 1, 'a sync after the undo deletes nothing');
    assert.equal(await inOutlook(dataDir, subject), 1, 'and creates nothing twice');
  } finally {
    await app.deleteSession();
  }
});

test('Preview changes lists what a sync would change, grouped by kind, and Apply syncs it', async () => {
  const subject = 'Preview check-up';
  const dataDir = freshDataDir('preview');
  const app = await launch(dataDir);
  try {
    await openOffice365Tab(app);
    await connectAccount(app, megan);
    await syncCalendar(app);
    await outlookCreate(dataDir, subject);

    // Sync Calendar → Preview changes, by keyboard as by mouse: the menu opens on Sync
    // Calendar, → opens its submenu on Sync now, ↓ goes to Preview changes, Enter opens it.
    await click(app, '[data-testid="office365-menu"]');
    const focused = async () => app.execute(() => document.activeElement?.getAttribute('data-testid'));
    assert.equal(await focused(), 'menu-sync-calendar', 'the menu opens on Sync Calendar');
    await app.keys('ArrowRight');
    await app.waitUntil(async () => (await focused()) === 'menu-sync-now',
      { timeout: 5000, interval: 100, timeoutMsg: '→ opens the submenu on Sync now' });
    assert.equal(await (await app.$('[data-testid="menu-sync-calendar"]')).getAttribute('aria-expanded'), 'true');
    await app.keys('ArrowDown');
    assert.equal(await focused(), 'menu-preview-changes', '↓ reaches Preview changes');
    await screenshot(app, 'sync-calendar-submenu');
    await app.keys('Enter');
    await waitForText(app, '[data-testid="preview-group"]', 'Created in Quick3 Planner (1)', 30000);
    const listed = await textOf(app, '[data-testid="preview-dialog"]');
    assert.match(listed, new RegExp(subject), `the change is named: ${listed}`);
    assert.equal(inQuick3(dataDir, subject), 0, 'a preview changes nothing');
    await screenshot(app, 'preview-changes');

    await click(app, '[data-testid="preview-apply"]');
    await (await app.$('[data-testid="preview-dialog"]')).waitForDisplayed({ reverse: true, timeout: 5000 });
    await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
    assert.equal(inQuick3(dataDir, subject), 1, 'Apply synced what was listed');
  } finally {
    await app.deleteSession();
  }
});
