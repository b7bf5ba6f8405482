// The Scheduler's cards in the real window, after Megan's Outlook calendar is synced: the day
// view with resource columns by default, pulled appointments locked (a lock, and a dialog that
// shows the reason and changes nothing), and a Quick3 appointment over a pulled one flagged as a
// double booking and listed in the toolbar.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  click, connectAccount, fill, freshDataDir, launch, openOffice365Tab, screenshot, shownCard, textOf, waitForAppointment,
  viewPrefSaved, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
let app;

after(async () => {
  await app?.deleteSession();
});

/** Monday of this week (the machine's zone) as YYYY-MM-DD: the stand-up is on it. */
function thisMonday() {
  const d = new Date();
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

test('the Scheduler opens on the day with a column per resource, and remembers the view picked', async () => {
  const dataDir = freshDataDir('cards');
  app = await launch(dataDir);
  app.dataDir = dataDir;
  const pressed = (id) => app.$(`[data-testid="view-${id}"]`).then((b) => b.getAttribute('aria-pressed'));
  assert.equal(await pressed('resourceTimeGridDay'), 'true', 'Day is the default view');
  const columns = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-col-head, [data-testid="scheduler"] .ec-resource')]
      .map((e) => e.textContent.trim()).filter(Boolean));
  for (const name of ['Megan Bowen', 'Adele Vance', 'Boardroom']) {
    assert.ok(columns.some((c) => c.includes(name)), `a column for ${name}: ${JSON.stringify(columns)}`);
  }
  await click(app, '[data-testid="view-resourceTimelineWeek"]');
  await viewPrefSaved(dataDir, 'quick3.scheduler.view', 'resourceTimelineWeek');
  await app.deleteSession();
  app = await launch(dataDir);
  app.dataDir = dataDir;
  assert.equal(await pressed('resourceTimelineWeek'), 'true', 'the view picked last time comes back');
  await click(app, '[data-testid="view-resourceTimeGridWeek"]');
});

test('after Sync Calendar a pulled appointment shows a lock and opens read-only', async () => {
  await openOffice365Tab(app);
  await connectAccount(app, megan);
  await click(app, '[data-testid="office365-menu"]');
  await click(app, '[data-testid="menu-sync-calendar"]');
  await click(app, '[data-testid="menu-sync-now"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  await click(app, '[data-testid="close-resource-card"]');

  await waitForAppointment(app, 'Daily stand-up');
  const standup = await shownCard(app, 'Daily stand-up');
  assert.ok(standup.lock, 'the pulled stand-up shows a lock');
  assert.equal(standup.origin, 'M', 'its badge is the initial of the account it came from');
  assert.match(standup.tooltip, /change it in\s+Outlook/, `the tooltip says why: ${standup.tooltip}`);
  assert.match(standup.label, /Daily stand-up, Busy, from megan\.bowen@contoso\.example, read-only: /);

  await click(app, `[data-appointment-id="${standup.id}"]`);
  assert.match(await textOf(app, '[data-testid="appt-read-only"]'), /comes from a Microsoft 365 \(Outlook\) calendar: change it in\s+Outlook/);
  assert.equal(await (await app.$('[data-testid="appt-title"]')).isEnabled(), false, 'the title cannot be changed');
  assert.equal(await (await app.$('[data-testid="appt-start-time"]')).isEnabled(), false, 'nor the time');
  assert.equal(await (await app.$('[data-testid="appt-delete"]')).isExisting(), false, 'no Delete');
  assert.equal(await (await app.$('[data-testid="appt-save"]')).isExisting(), false, 'no Save');
  await screenshot(app, 'scheduler-read-only-dialog');
  await click(app, '[data-testid="appt-cancel"]');
});

test('a Quick3 appointment over a pulled one is flagged and listed as a double booking', async () => {
  const title = `Workshop ${Date.now()}`;
  const day = thisMonday();
  await click(app, '[data-testid="new-appointment"]');
  await fill(app, '[data-testid="appt-title"]', title);
  await fill(app, '[data-testid="appt-start-date"]', day);
  await fill(app, '[data-testid="appt-start-time"]', '07:00');
  await fill(app, '[data-testid="appt-end-date"]', day);
  await fill(app, '[data-testid="appt-end-time"]', '12:00');
  await click(app, '[data-testid="appt-save"]');
  await waitForAppointment(app, title);

  await waitForText(app, '[data-testid="double-bookings"]', 'double booking');
  const mine = await shownCard(app, title);
  assert.ok(mine.flag, 'the new appointment is flagged');
  assert.ok(!mine.lock, 'a Quick3 appointment has no lock');
  assert.equal(mine.origin, 'Q', 'its badge says Quick3');
  assert.match(mine.label, /double booked/);

  await click(app, '[data-testid="double-bookings"]');
  const rows = await app.execute(() =>
    [...document.querySelectorAll('[data-testid="double-booking"]')].map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  assert.ok(rows.some((r) => r.includes('Megan Bowen') && r.includes('Daily stand-up') && r.includes(title)),
    `the list names the resource and both appointments: ${JSON.stringify(rows)}`);
  const count = Number(/(\d+) double booking/.exec(await textOf(app, '[data-testid="double-bookings"]'))[1]);
  assert.equal(count, rows.length, 'the button counts what the list shows');
  await screenshot(app, 'scheduler-double-bookings');
  await click(app, '[data-testid="double-bookings"]');
  await click(app, '[data-testid="view-resourceTimeGridDay"]');
  await screenshot(app, 'scheduler-day-after-sync');
});
