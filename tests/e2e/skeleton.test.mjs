// The walking skeleton in the real window: the Resource card with its Office 365 tab, creating an
// appointment in the Scheduler, and the appointment surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  click, fill, freshDataDir, launch, quick3, screenshot, textOf, today, waitForAppointment,
} from './app.mjs';

test('My Resource opens the Resource card with an Office 365 tab', async () => {
  const dataDir = freshDataDir('card');
  const app = await launch(dataDir);
  try {
    assert.equal(await app.getTitle(), 'Quick3 Planner');
    await click(app, '[data-testid="user-menu"]');
    await click(app, '[data-testid="menu-my-resource"]');
    const card = await textOf(app, '[data-testid="resource-card"]');
    assert.match(card, /Megan Bowen/, 'the card is the planner\'s own resource');
    assert.match(card, /General/);
    assert.match(card, /Office 365/);
    await click(app, '[data-testid="tab-office365"]');
    const panel = await textOf(app, '[data-testid="office365-panel"]');
    for (const column of ['E-mail', 'Direction', 'Scopes', 'Status', 'Last sync']) {
      assert.match(panel, new RegExp(column), `the accounts table has a ${column} column`);
    }
    assert.match(panel, /No Microsoft 365 accounts yet/);
    await screenshot(app, 'resource-card-office365');
  } finally {
    await app.deleteSession();
  }
});

test('an appointment created in the Scheduler is still there after a restart', async () => {
  const dataDir = freshDataDir('restart');
  const title = `E2E review ${Date.now()}`;
  let app = await launch(dataDir);
  try {
    await click(app, '[data-testid="new-appointment"]');
    await textOf(app, '[data-testid="appointment-dialog"]');
    await fill(app, '[data-testid="appt-title"]', title);
    await fill(app, '[data-testid="appt-start-date"]', today());
    await fill(app, '[data-testid="appt-start-time"]', '10:00');
    await fill(app, '[data-testid="appt-end-date"]', today());
    await fill(app, '[data-testid="appt-end-time"]', '11:30');
    await fill(app, '[data-testid="appt-location"]', 'Boardroom');
    await click(app, '[data-testid="appt-save"]');
    await waitForAppointment(app, title);
    await screenshot(app, 'scheduler-with-new-appointment');
  } finally {
    await app.deleteSession();
  }
  const stored = JSON.parse(quick3(dataDir, 'appointment', 'list', '--json'));
  assert.ok(stored.some((a) => a.title === title && a.location === 'Boardroom'), 'the store has it');

  const saved = stored.find((a) => a.title === title);
  assert.match(saved.start, new RegExp(`^${today()}T10:00:00`), 'stored at the time typed, in the planner zone');

  app = await launch(dataDir);
  try {
    await waitForAppointment(app, title);
  } finally {
    await app.deleteSession();
  }
});

test('the Office 365 tab says plainly when the module is not activated', async () => {
  const dataDir = freshDataDir('gate');
  quick3(dataDir, 'demo', 'seed');
  quick3(dataDir, 'admin', 'module', 'disable', 'office365');
  const app = await launch(dataDir, { demo: false });
  try {
    await click(app, '[data-testid="user-menu"]');
    await click(app, '[data-testid="menu-my-resource"]');
    await click(app, '[data-testid="tab-office365"]');
    const gate = await textOf(app, '[data-testid="office365-gate"]');
    assert.match(gate, /Ask Support to activate the Office 365 module/);
    assert.equal(await (await app.$('[data-testid="add-account"]')).isExisting(), false,
      'nothing is offered without the module');
  } finally {
    await app.deleteSession();
  }
});
