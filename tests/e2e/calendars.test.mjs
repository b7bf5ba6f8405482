// Calendars… on an account's menu: after the first sync lists the mailbox's calendars, the
// planner switches one off; its appointments leave the Scheduler and the choice is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountRow, chooseFromAccountMenu, click, connectAccount, freshDataDir, launch, openOffice365Tab, quick3,
  screenshot, textOf, waitForText,
} from './app.mjs';

const megan = 'megan.bowen@contoso.example';
const choice = (name) => `[data-testid="calendar-choice"][data-name="${name}"]`;

test('a calendar switched off leaves the Scheduler; the choice is kept', async () => {
  const dataDir = freshDataDir('calendars');
  const app = await launch(dataDir);
  try {
    await openOffice365Tab(app);
    await connectAccount(app, megan);

    await chooseFromAccountMenu(app, megan, 'account-calendars');
    assert.match(await textOf(app, '[data-testid="calendars-none"]'), /first sync/,
      'before a sync there is nothing to choose, and the dialog says why');
    await app.keys('Escape');

    await click(app, '[data-testid="office365-menu"]');
    await click(app, '[data-testid="menu-sync-calendar"]');
    await click(app, '[data-testid="menu-sync-now"]');
    await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
    const pulled = () => JSON.parse(quick3(dataDir, 'appointment', 'list', '--resource', 'Megan Bowen', '--json'))
      .filter((a) => a.origin.kind === 'microsoft365');
    const before = pulled();

    await chooseFromAccountMenu(app, megan, 'account-calendars');
    for (const name of ['Calendar', 'Projects', 'Travel']) {
      assert.equal(await (await app.$(choice(name))).isSelected(), true, `${name} is synced by default`);
    }
    assert.equal(await (await app.$('[data-testid="calendars-save"]')).isEnabled(), false, 'nothing to save yet');
    await click(app, choice('Projects'));
    assert.match(await textOf(app, '[data-testid="calendars-warning"]'), /Projects leave the Scheduler/);
    await screenshot(app, 'calendars-dialog');
    await click(app, '[data-testid="calendars-save"]');

    const notice = await textOf(app, '[data-testid="office365-notice"]');
    const removed = Number(/^(\d+) appointments? of the calendars no longer synced left the Scheduler/.exec(notice)?.[1]);
    assert.ok(removed > 0, `the tab says how many left: ${notice}`);
    assert.equal(pulled().length, before.length - removed, 'they left the planner\'s data too');

    await chooseFromAccountMenu(app, megan, 'account-calendars');
    assert.equal(await (await app.$(choice('Projects'))).isSelected(), false, 'the choice is kept');
    assert.equal(await (await app.$(choice('Travel'))).isSelected(), true);
    await app.keys('Escape');
    assert.match(await textOf(app, accountRow(megan)), /Connected/);
  } finally {
    await app.deleteSession();
  }
});
