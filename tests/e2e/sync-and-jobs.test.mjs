// Sync Calendar and scheduled jobs in the real window, against the demo emulator: Megan's
// Outlook appointments arrive in the Scheduler without a reload; Alt+H → Settings → Scheduled
// jobs → + → Ctrl+S lists the job with its next run, and Run now records a succeeded run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountRow, click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, screenshot, textOf,
  visibleAppointments, waitForAppointment, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
let app;

after(async () => {
  await app?.deleteSession();
});

test('Sync Calendar shows its summary and Megan\'s Outlook appointments appear in the Scheduler', async () => {
  app = await launch(freshDataDir('sync'));
  const before = await visibleAppointments(app);
  assert.ok(!before.some((t) => t.includes('Daily stand-up')), 'no Outlook appointment before the sync');

  await openOffice365Tab(app);
  await connectAccount(app, megan);
  assert.match(await textOf(app, accountRow(megan)), /Never/, 'not synced yet');

  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  const summary = await textOf(app, '[data-testid="sync-summary"]');
  const added = Number(/megan\.bowen@contoso\.example: (\d+) added/.exec(summary)?.[1]);
  assert.ok(added > 20, `the summary counts the appointments pulled: ${summary}`);
  assert.match(summary, /no conflicts, no errors\./);
  assert.doesNotMatch(await textOf(app, accountRow(megan)), /Never/, 'the table shows the last sync');
  await screenshot(app, 'sync-calendar-summary');

  await click(app, '[data-testid="close-resource-card"]');
  // The stand-up of Megan's Outlook calendar, every working day: this week shows it.
  await waitForAppointment(app, 'Daily stand-up');
  await screenshot(app, 'sync-calendar-scheduler');
});

test('Alt+H → Settings → Scheduled jobs → + → Ctrl+S lists the job; Run now succeeds', async () => {
  await app.keys(['Alt', 'h']);
  await app.waitUntil(async () => (await app.execute(() => document.activeElement?.textContent?.trim())) === 'Scheduler',
    { timeout: 5000, timeoutMsg: 'Alt+H did not open the home menu with its first item focused' });
  await app.keys('ArrowDown');
  await app.keys('ArrowDown');
  assert.equal(await app.execute(() => document.activeElement?.textContent?.trim()), 'Settings');
  await app.keys('Enter');
  await click(app, '[data-testid="settings-jobs"]');
  await textOf(app, '[data-testid="jobs-empty"]');
  assert.match(await textOf(app, '[data-testid="background-note"]'), /only while Quick3 Planner is open/,
    'without a tray host the window says jobs need it open');

  await click(app, '[data-testid="add-job"]');
  assert.equal(await (await app.$('[data-testid="job-every"]')).getValue(), '60', 'every 60 minutes by default');
  assert.equal(await (await app.$('[data-testid="job-frequency-warning"]')).isExisting(), false, 'no warning at 60 minutes');
  await fill(app, '[data-testid="job-name"]', 'Outlook every quarter hour');
  await fill(app, '[data-testid="job-every"]', '15');
  assert.match(await textOf(app, '[data-testid="job-frequency-warning"]'), /more often than every 30 minutes/);
  assert.match(await textOf(app, '[data-testid="job-unsaved"]'), /Unsaved changes/);
  await screenshot(app, 'scheduled-job-form');

  await app.keys(['Control', 's']);
  const row = '[data-testid="job-row"][data-name="Outlook every quarter hour"]';
  await waitForText(app, row, 'Every 15 minutes');
  const next = await textOf(app, `${row} [data-testid="job-next-run"]`);
  assert.match(next, /\d{1,2} \w{3} \d{4}, \d{2}:\d{2}/, `the next run is shown: ${next}`);
  assert.equal(await textOf(app, `${row} [data-testid="job-last-run"]`), 'Never run');

  await click(app, `${row} [data-testid="job-run-now"]`);
  await app.$('[data-testid="job-run"][data-result="succeeded"]').then((el) => el.waitForDisplayed({ timeout: 60000 }));
  assert.match(await textOf(app, '[data-testid="job-history-panel"]'), /Succeeded/);
  await waitForText(app, `${row} [data-testid="job-last-run"]`, 'Succeeded');
  await screenshot(app, 'scheduled-job-history');
});
