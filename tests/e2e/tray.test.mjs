// The tray icon with a tray on the desktop: tray-host.py plays the panel (a StatusNotifier watcher
// and host on the session bus); the app's icon registers with it through libayatana-appindicator,
// and the test opens its menu and clicks its items through com.canonical.dbusmenu, as a panel
// does for a person: Sync now, Pause background sync, Open after the window was closed, Quit
// (tray-window.test.mjs: what closing ends and what Open brings back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountRow, click, connectAccount, freshDataDir, instanceRunning, launch, openOffice365Tab, screenshot,
  textOf, waitForText,
} from './app.mjs';
import { closeWindowUntil, labelsOf, startTrayHost, switchToReopenedWindow } from './tray.mjs';
import { xWindowExists } from './processes.mjs';

test('with a tray on the desktop: its menu syncs, pauses, reopens the closed window and quits', async () => {
  const tray = await startTrayHost();
  const app = await launch(freshDataDir('tray'));
  const email = 'megan.bowen@contoso.example';
  let quit = false;
  try {
    const item = await tray.item();
    assert.equal(item.Status, 'Active', 'the icon is shown');
    let menu = await tray.menu();
    assert.deepEqual(labelsOf(menu),
      ['No scheduled run yet', 'Open Quick3 Planner', 'Sync now', 'Pause background sync', 'Quit']);
    assert.equal(menu.find((i) => i.label.includes('No scheduled run')).enabled, false, 'the status line is not a button');

    // With a tray, Scheduled jobs no longer says that closing the window stops them.
    await click(app, '[data-testid="home-menu"]');
    await click(app, '[data-testid="menu-settings"]');
    await click(app, '[data-testid="settings-jobs"]');
    await textOf(app, '[data-testid="jobs-table"]');
    assert.equal(await (await app.$('[data-testid="background-note"]')).isExisting(), false,
      'no "only while open" note when a tray keeps jobs running');

    // Sync now from the tray: the account's last sync appears in its row.
    await click(app, '[data-testid="home-menu"]');
    await click(app, '[data-testid="menu-scheduler"]');
    await openOffice365Tab(app);
    await connectAccount(app, email);
    assert.match(await textOf(app, accountRow(email)), /Never/);
    await tray.click('Sync now');
    await app.waitUntil(async () => !/Never/.test(await textOf(app, accountRow(email))),
      { timeout: 60000, timeoutMsg: 'Sync now from the tray did not sync the account' });
    await click(app, '[data-testid="close-resource-card"]');

    // Pause background sync: a check mark in the menu, and Scheduled jobs says so.
    await tray.click('Pause background sync');
    await app.waitUntil(async () => (await tray.menu()).find((i) => i.label.includes('Pause')).toggle_state === 1,
      { timeout: 5000, timeoutMsg: 'the pause item is not checked' });
    menu = await tray.menu();
    assert.match(menu[0].label, /\(paused\)/, 'the status line says paused');
    await click(app, '[data-testid="home-menu"]');
    await click(app, '[data-testid="menu-settings"]');
    await click(app, '[data-testid="settings-jobs"]');
    await waitForText(app, '[data-testid="background-note"]', 'Background sync is paused');
    await screenshot(app, 'tray-paused');

    // Closing the window destroys it (jobs go on in the tray); the tray's Open builds it again.
    await closeWindowUntil(() => !xWindowExists('Quick3 Planner'), 'closing did not take the window off the screen');
    assert.ok(instanceRunning(), 'closing the window with a tray keeps the app running');
    await tray.click('Open Quick3 Planner');
    await switchToReopenedWindow(app);
    assert.ok(xWindowExists('Quick3 Planner'), 'Open shows the window again');

    await tray.click('Quit');
    quit = true;
    const until = Date.now() + 15000;
    while (instanceRunning() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(instanceRunning(), false, 'Quit ends the app');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    }
    tray.stop();
  }
});
