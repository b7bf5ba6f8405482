// Sync Calendar and scheduled jobs in the real window, against the demo emulator: Megan's
// Outlook appointments arrive in the Scheduler without a reload; Alt+H → Settings → Scheduled
// jobs → + → Ctrl+S lists the job with its next run, and Run now records a succeeded run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountRow, click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, screenshot, textOf, today,
  visibleAppointments, waitForAppointment, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
let app;
let second;

after(async () => {
  await app?.deleteSession();
  await second?.deleteSession();
});

/** Subjects of the events in a demo mailbox, as Outlook has them (the emulator's admin API). */
async function outlookSubjects(dataDir, mailbox) {
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  const response = await fetch(`http://127.0.0.1:${http}/_emulator/users/${mailbox}/events`);
  assert.equal(response.status, 200);
  return (await response.json()).value.map((event) => event.subject);
}

test('Sync Calendar shows its summary and Megan\'s Outlook appointments appear in the Scheduler', async () => {
  const dataDir = freshDataDir('sync');
  app = await launch(dataDir);
  app.dataDir = dataDir;
  const before = await visibleAppointments(app);
  assert.ok(!before.some((t) => t.includes('Daily stand-up')), 'no Outlook appointment before the sync');

  await openOffice365Tab(app);
  await connectAccount(app, megan);
  assert.match(await textOf(app, accountRow(megan)), /Never/, 'not synced yet');

  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  const summary = await textOf(app, '[data-testid="sync-summary"]');
  const added = Number(/megan\.bowen@contoso\.example: (\d+) added/.exec(summary)?.[1]);
  assert.ok(added > 20, `the summary counts the appointments pulled: ${summary}`);
  assert.match(summary, /no conflicts, no errors\./);
  assert.doesNotMatch(await textOf(app, accountRow(megan)), /Never/, 'the table shows the last sync');
  await screenshot(app, 'sync-calendar-summary');

  await click(app, '[data-testid="close-resource-card"]');
  // The stand-up of Megan's Outlook calendar, every working day: this week shows it.
  await click(app, '[data-testid="view-resourceTimeGridWeek"]');
  await waitForAppointment(app, 'Daily stand-up');
  await screenshot(app, 'sync-calendar-scheduler');
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  await screenshot(app, 'sync-calendar-scheduler-day');
});

test('a sync that would delete most of an account\'s appointments asks first, and deletes them on Yes', async () => {
  const dataDir = app.dataDir;
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  const admin = `http://127.0.0.1:${http}/_emulator/users/${megan}/events`;
  const events = (await (await fetch(admin)).json()).value;
  // In Outlook, Megan clears her calendar (every event and series: more than half of what was
  // pulled, whatever the date, so the guard must ask).
  for (const event of events) {
    const response = await fetch(`${admin}/${encodeURIComponent(event.id)}`, { method: 'DELETE' });
    assert.ok(response.ok, `deleted in Outlook: ${response.status}`);
  }
  await openOffice365Tab(app);
  await click(app, `${accountRow(megan)} [data-testid="account-menu"]`);
  await click(app, '[data-testid="account-sync-calendar"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync stopped', 60000);
  const question = await textOf(app, '[data-testid="mass-delete-dialog"]');
  assert.match(question, /This sync would delete \d+ of \d+ appointments pulled from megan\.bowen@contoso\.example\. Delete them\?/);
  assert.match(await textOf(app, '[data-testid="sync-summary"]'), /stopped before deleting/);
  await screenshot(app, 'sync-mass-delete-question');
  await click(app, '[data-testid="mass-delete-yes"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  const deleted = Number(/(\d+) deleted/.exec(await textOf(app, '[data-testid="sync-summary"]'))?.[1]);
  assert.ok(deleted >= 10, `the confirmed sync deleted them: ${deleted}`);
  await click(app, '[data-testid="close-resource-card"]');
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

test('leaving the job form with unsaved changes asks first', async () => {
  const row = '[data-testid="job-row"][data-name="Outlook every quarter hour"]';
  await click(app, `${row} [data-testid="job-edit"]`);
  await fill(app, '[data-testid="job-every"]', '45');
  await textOf(app, '[data-testid="job-unsaved"]');
  assert.equal(await (await app.$('[data-testid="job-frequency-warning"]')).isExisting(), false, '45 minutes is fine');
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-scheduler"]');
  assert.match(await textOf(app, '[data-testid="unsaved-dialog"]'), /Leave without saving\?/);
  await click(app, '[data-testid="unsaved-stay"]');
  assert.ok(await (await app.$('[data-testid="job-form"]')).isDisplayed(), 'still editing');
  await click(app, '[data-testid="job-save"]');
  await waitForText(app, row, 'Every 45 minutes');
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-scheduler"]');
  await (await app.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 10000 });
});

test('an appointment saved in the Scheduler reaches Outlook at once when the main account uploads', async () => {
  const dataDir = freshDataDir('upload');
  const adele = 'adele.vance@contoso.example';
  const title = `Pushed at once ${Date.now()}`;
  await app.deleteSession(); // one Quick3 Planner at a time
  app = undefined;
  second = await launch(dataDir);
  second.dataDir = dataDir;
  await openOffice365Tab(second);
  await connectAccount(second, adele, 'up_and_down');
  await click(second, '[data-testid="close-resource-card"]');
  assert.ok(!(await outlookSubjects(dataDir, adele)).includes(title));

  await click(second, '[data-testid="new-appointment"]');
  await fill(second, '[data-testid="appt-title"]', title);
  await fill(second, '[data-testid="appt-start-date"]', today());
  await fill(second, '[data-testid="appt-start-time"]', '10:00');
  await fill(second, '[data-testid="appt-end-date"]', today());
  await fill(second, '[data-testid="appt-end-time"]', '11:00');
  await click(second, '[data-testid="appt-save"]');
  await waitForAppointment(second, title);
  await second.waitUntil(async () => (await outlookSubjects(dataDir, adele)).includes(title),
    { timeout: 30000, interval: 500, timeoutMsg: 'the new appointment did not reach Outlook' });
  assert.equal(await (await second.$('[data-testid="toast"]')).isExisting(), false, 'no upload error is shown');
});

test('Settings → E-mail refuses plain SMTP to another machine and sends a test e-mail', async () => {
  const [host, port] = process.env.QUICK3_TEST_SMTP.split(':');
  await second.keys(['Alt', 'h']);
  await click(second, '[data-testid="menu-settings"]');
  await click(second, '[data-testid="settings-email"]');
  await fill(second, '[data-testid="smtp-host"]', 'smtp.contoso.example');
  await fill(second, '[data-testid="smtp-port"]', port);
  await fill(second, '[data-testid="smtp-security"]', 'none');
  await fill(second, '[data-testid="smtp-sender"]', 'planner@contoso.example');
  await click(second, '[data-testid="smtp-save"]');
  assert.match(await textOf(second, '[data-testid="smtp-message"]'),
    /unencrypted SMTP is allowed only to a server on this machine/);

  await fill(second, '[data-testid="smtp-host"]', host);
  await fill(second, '[data-testid="smtp-test-to"]', 'it@contoso.example');
  await click(second, '[data-testid="smtp-send-test"]');
  await waitForText(second, '[data-testid="smtp-message"]', 'A test e-mail went to it@contoso.example.', 30000);
  await screenshot(second, 'settings-email');
  const inbox = join(process.env.QUICK3_TEST_MAILDIR, 'new');
  const mails = readdirSync(inbox).map((name) => readFileSync(join(inbox, name), 'utf8'));
  assert.ok(mails.some((m) => /Subject: Quick3 Planner: test e-mail/.test(m) && /To: it@contoso\.example/.test(m)),
    'the test e-mail arrived at the SMTP server');
});

test('a due job runs in the background; its failure is in the history in plain words, mailed, and on the account until a sync succeeds', async () => {
  const dataDir = second.dataDir;
  const { http } = JSON.parse(readFileSync(join(dataDir, 'emulator-ports.json'), 'utf8'));
  const faults = `http://127.0.0.1:${http}/_emulator/faults`;
  // Microsoft 365 answers every calendar request with an error for a while.
  const added = await fetch(faults, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/v1.0/*', kind: 'status', status: 500 }),
  });
  assert.equal(added.status, 201);
  try {
    await click(second, '[data-testid="settings-jobs"]');
    await click(second, '[data-testid="add-job"]');
    await fill(second, '[data-testid="job-name"]', 'Every minute');
    await fill(second, '[data-testid="job-every"]', '1');
    await fill(second, '[data-testid="job-emails"]', 'it@contoso.example');
    await click(second, '[data-testid="job-save"]');
    const row = '[data-testid="job-row"][data-name="Every minute"]';
    await waitForText(second, row, 'Every minute');
    // Nobody presses Run now: the app runs it when it falls due.
    await waitForText(second, `${row} [data-testid="job-last-run"]`, 'Failed', 120000);
    const failed = await second.$('[data-testid="job-run"][data-result="failed"]');
    await failed.waitForDisplayed({ timeout: 10000 });
    assert.match(await failed.getText(), /adele\.vance@contoso\.example/, 'the error names the account');
    await screenshot(second, 'scheduled-job-failed');
    const inbox = join(process.env.QUICK3_TEST_MAILDIR, 'new');
    await second.waitUntil(() => readdirSync(inbox).map((name) => readFileSync(join(inbox, name), 'utf8'))
      .some((m) => m.includes('Subject: Quick3 Planner: "Every minute" failed')),
    { timeout: 30000, interval: 500, timeoutMsg: 'no failure notice arrived at the SMTP server' });

    // The account's row keeps saying that its last sync failed, and why, until a sync succeeds.
    const adele = 'adele.vance@contoso.example';
    const message = `${accountRow(adele)} [data-testid="account-message"]`;
    await openOffice365Tab(second);
    await waitForText(second, message, 'failed', 10000);
    assert.match(await textOf(second, message), /The last sync \(.+\) failed: .*HTTP 500/s);
    await screenshot(second, 'account-last-sync-failed');
    await fetch(faults, { method: 'DELETE' });
    await click(second, '[data-testid="office365-menu"]');
    await click(second, '[data-testid="menu-sync-calendar"]');
    await click(second, '[data-testid="menu-sync-now"]');
    await waitForText(second, '[data-testid="sync-summary"]', 'Sync finished', 60000);
    await second.waitUntil(async () => !(await (await second.$(message)).isExisting()),
      { timeout: 10000, interval: 250, timeoutMsg: 'the failure is still said after a sync that succeeded' });
  } finally {
    await fetch(faults, { method: 'DELETE' });
  }
});
