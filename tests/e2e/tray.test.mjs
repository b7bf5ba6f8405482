// The tray icon with a tray on the desktop: tray-host.py plays the panel (a StatusNotifier watcher
// and host on the session bus); the app's icon registers with it through libayatana-appindicator,
// and the test opens its menu and clicks its items through com.canonical.dbusmenu, as a panel
// does for a person: Sync now, Pause background sync, Open after the window was closed, Quit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  accountRow, click, connectAccount, freshDataDir, instanceRunning, launch, openOffice365Tab, screenshot,
  textOf, waitForText,
} from './app.mjs';

/** Starts the panel; resolves once it owns org.kde.StatusNotifierWatcher. */
async function startTrayHost() {
  const child = spawn('/usr/bin/python3', [new URL('./tray-host.py', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  const received = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line);
    const at = waiting.findIndex((w) => w.key in message || 'error' in message);
    if (at >= 0) waiting.splice(at, 1)[0].resolve(message);
    else received.push(message);
  });
  const next = (key, timeout = 15000) => {
    const at = received.findIndex((m) => key in m || 'error' in m);
    const found = at >= 0 ? received.splice(at, 1)[0] : null;
    const message = found
      ? Promise.resolve(found)
      : new Promise((resolve, reject) => {
        const entry = { key, resolve };
        waiting.push(entry);
        setTimeout(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`the tray host sent no "${key}" within ${timeout} ms`));
        }, timeout);
      });
    return message.then((m) => {
      if ('error' in m) throw new Error(`tray host: ${m.error}`);
      return m[key];
    });
  };
  const ask = (request, key) => {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    return next(key);
  };
  await next('ready');
  return {
    item: () => next('item'),
    menu: () => ask({ menu: true }, 'menu'),
    click: (label) => ask({ click: label }, 'clicked'),
    stop: () => child.kill(),
  };
}

/** Clicks the window's close button, as far as the app can tell (see close-window.py). */
function closeWindow(title) {
  execFileSync('/usr/bin/python3', [new URL('./close-window.py', import.meta.url).pathname, title]);
}

const labelsOf = (menu) => menu.filter((i) => i.visible).map((i) => i.label.replaceAll('_', ''));

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

    // Closing the window hides it (jobs go on); the tray's Open brings it back.
    closeWindow('Quick3 Planner');
    const visibility = () => app.execute(() => document.visibilityState);
    await app.waitUntil(async () => (await visibility()) === 'hidden',
      { timeout: 5000, timeoutMsg: 'closing did not hide the window' });
    assert.ok(instanceRunning(), 'closing the window with a tray keeps the app running');
    await tray.click('Open Quick3 Planner');
    await app.waitUntil(async () => (await visibility()) === 'visible',
      { timeout: 5000, timeoutMsg: 'Open did not show the window again' });
    await textOf(app, '[data-testid="jobs-table"]');

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
