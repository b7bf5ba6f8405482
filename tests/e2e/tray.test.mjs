// The tray icon with a tray on the desktop: tray-host.py plays the panel (a StatusNotifier watcher
// and host on the session bus); the tray process's icon (quick3-tray, through ksni) registers with
// it, and the test opens its menu and clicks its items through com.canonical.dbusmenu, as a panel
// does for a person: Sync now, Pause background sync, Open after the window was closed, Quit
// (tray-window.test.mjs: what closing ends and what Open brings back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountRow, click, connectAccount, freshDataDir, instanceRunning, launch, openOffice365Tab, screenshot,
  textOf, waitForText,
} from './app.mjs';
import { closeWindowUntil, labelsOf, pidOfBusName, startTrayHost } from './tray.mjs';
import { alive, waitFor, xWindowExists } from './processes.mjs';

test('with a tray on the desktop: its menu syncs, pauses, reopens the closed window and quits', async () => {
  const tray = await startTrayHost();
  const app = await launch(freshDataDir('tray'));
  const email = 'megan.bowen@contoso.example';
  let quit = false;
  try {
    const item = await tray.item();
    assert.equal(item.Status, 'Active', 'the icon is shown');
    assert.deepEqual(await tray.icon(), { name: '', sizes: [[22, 22], [32, 32], [48, 48]], grey: false },
      "Quick3's own icon in colour at the panel's sizes, no theme icon");
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
    await waitFor(async () => (await tray.icon()).grey, 'the icon is not greyed while paused', 5000);
    await click(app, '[data-testid="home-menu"]');
    await click(app, '[data-testid="menu-settings"]');
    await click(app, '[data-testid="settings-jobs"]');
    await waitForText(app, '[data-testid="background-note"]', 'Background sync is paused');
    await screenshot(app, 'tray-paused');

    // Closing the window ends its process (jobs go on in the tray process); Open starts it again.
    const trayPid = pidOfBusName(item.service);
    await closeWindowUntil(() => !xWindowExists('Quick3 Planner'), 'closing did not take the window off the screen');
    await waitFor(() => !instanceRunning(), 'the window process did not end with its window');
    assert.ok(alive(trayPid), 'the tray process keeps the app');
    await tray.click('Open Quick3 Planner');
    await waitFor(() => instanceRunning() && xWindowExists('Quick3 Planner'), 'Open showed no window', 20000);

    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning() && !alive(trayPid), 'Quit did not end the window and tray processes');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    }
    tray.stop();
  }
});
