// Living in the tray (issue #20), with tray-host.py as the desktop's tray: closing the window ends
// its WebKit web process while the app and its tray icon stay; Open builds the window again at the
// view, date, resource filter, timeline zoom and scroll positions the planner left (kept in the
// app's store, not the page); Quit ends every process the app started; `--hidden` starts with no window; Start with
// the session writes the desktop's autostart entry and removes it; without a tray, closing says
// once that scheduled syncs stop, then quits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  click, freshDataDir, instancePid, instanceRunning, launch, quick3, textOf, waitForText,
} from './app.mjs';
import { alive, processesOf, waitFor, xWindowExists } from './processes.mjs';
import { closeWindowUntil, labelsOf, MENU, startTrayHost, switchToReopenedWindow } from './tray.mjs';

const TITLE = 'Quick3 Planner';
const webProcesses = (pid) => processesOf(pid).filter((p) => p.name.startsWith('WebKitWebProces'));

/** The view preferences file (tauri-plugin-store) somewhere in the data folder, parsed. */
function viewPrefsIn(dataDir) {
  const found = readdirSync(dataDir, { recursive: true }).find((f) => String(f).endsWith('view-prefs.json'));
  assert.ok(found, `no view-prefs.json in ${dataDir}: ${JSON.stringify(readdirSync(dataDir, { recursive: true }))}`);
  return JSON.parse(readFileSync(join(dataDir, String(found)), 'utf8'));
}

/** What the Scheduler's toolbar shows: the range's title, the date picker, the pressed view, the filter. */
async function schedulerPlace(app) {
  return {
    title: await textOf(app, '[data-testid="sched-title"]'),
    filter: await textOf(app, '[data-testid="resource-filter"]'),
    date: await (await app.$('[data-testid="sched-date"]')).getValue(),
    view: await app.execute(() =>
      document.querySelector('[data-testid^="view-"][aria-pressed="true"]')?.dataset.testid ?? null),
  };
}

test('closed with a tray: the web process ends, the icon stays, Open brings back the view, date and filter, Quit ends all', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('tray-window');
  const app = await launch(dataDir);
  let quit = false;
  try {
    await tray.item();
    // The planner goes to the week view and on to next week.
    await click(app, '[data-testid="view-resourceTimeGridWeek"]');
    const thisWeek = await textOf(app, '[data-testid="sched-title"]');
    await click(app, '[data-testid="sched-next"]');
    await app.waitUntil(async () => (await textOf(app, '[data-testid="sched-title"]')) !== thisWeek,
      { timeout: 5000, timeoutMsg: 'Next did not move the week' });
    // …and hides Adele Vance with the resource filter.
    await click(app, '[data-testid="resource-filter"]');
    await click(app, '[data-testid="resource-filter-option"][data-resource="Adele Vance"] input');
    await waitForText(app, '[data-testid="resource-filter"]', '4 of 5 resources');
    await click(app, '[data-testid="resource-filter"]');
    const left = await schedulerPlace(app);
    assert.equal(left.view, 'view-resourceTimeGridWeek', 'the week view is pressed');
    let kept = {};
    await waitFor(() => {
      try {
        kept = viewPrefsIn(dataDir);
      } catch {
        return false;
      }
      return kept['quick3.scheduler.view'] === 'resourceTimeGridWeek'
        && JSON.parse(kept['quick3.scheduler.hiddenResources'] ?? '[]').length === 1;
    }, "the app's store (view-prefs.json) does not keep the view and the filter", 5000);
    // The page's own copy is wiped: what comes back must come from the app's store.
    await app.execute(() => localStorage.clear());

    const main = instancePid();
    const web = webProcesses(main);
    assert.ok(web.length > 0, `the open window has a web process under the app: ${JSON.stringify(processesOf(main))}`);

    await closeWindowUntil(() => web.every((p) => !alive(p.pid)),
      `the web process did not end when the window closed: ${JSON.stringify(processesOf(main))}`);
    assert.equal(xWindowExists(TITLE), false, 'the window is gone from the screen');
    assert.ok(alive(main) && instanceRunning(), 'the app lives on in the tray');
    assert.deepEqual(labelsOf(await tray.menu()), MENU, 'the tray icon and its menu are still there');

    await tray.click('Open Quick3 Planner');
    await switchToReopenedWindow(app);
    assert.ok(xWindowExists(TITLE), 'Open shows the window again');
    assert.ok(webProcesses(main).length > 0, 'the new window has a web process again');
    assert.deepEqual(await schedulerPlace(app), left, 'the window comes back at the view, date and filter the planner left');

    await tray.click('Quit');
    quit = true;
    const started = processesOf(main);
    await waitFor(() => started.every((p) => !alive(p.pid)),
      `Quit left processes running: ${JSON.stringify(started.filter((p) => alive(p.pid)))}`);
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

/**
 * Scrolls the element to `at` (fractions of how far it scrolls each way) as a person would, and
 * answers where it is then (the browser rounds and clamps).
 */
async function scrollTo(app, selector, at) {
  const el = await app.$(selector);
  await el.waitForDisplayed({ timeout: 10000 });
  return app.execute((e, { x, y }) => {
    e.dispatchEvent(new WheelEvent('wheel', { bubbles: true }));
    e.scrollLeft = Math.round((e.scrollWidth - e.clientWidth) * x);
    e.scrollTop = Math.round((e.scrollHeight - e.clientHeight) * y);
    return { left: e.scrollLeft, top: e.scrollTop };
  }, el, at);
}

/** Waits until the element is scrolled to `place` (the window scrolls back once laid out). */
async function waitForScroll(app, selector, place, what) {
  let seen = null;
  try {
    await app.waitUntil(async () => {
      seen = await app.execute((s) => {
        const e = document.querySelector(s);
        return e ? { left: e.scrollLeft, top: e.scrollTop } : null;
      }, selector);
      return seen !== null && (place.left === undefined || seen.left === place.left) && seen.top === place.top;
    }, { timeout: 10000, interval: 100 });
  } catch {
    assert.fail(`${what}: ${selector} is at ${JSON.stringify(seen)}, not ${JSON.stringify(place)}`);
  }
}

test('closed with a tray: Open brings back the timeline zoom and the scroll of the time grid and of the timeline', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('tray-scroll');
  // Rows enough for the timeline to scroll down, hours enough for the grid.
  quick3(dataDir, 'demo', 'seed');
  quick3(dataDir, 'demo', 'scale', '--resources', '30', '--appointments', '300', '--weeks', '1');
  const app = await launch(dataDir);
  let quit = false;
  try {
    await tray.item();
    // The timeline, zoomed in so that the week is wider than the window, scrolled right and down.
    await click(app, '[data-testid="view-resourceTimelineWeek"]');
    await click(app, '[data-testid="timeline-zoom-in"]');
    await click(app, '[data-testid="timeline-zoom-in"]');
    await waitFor(() => app.execute(() => {
      const e = document.querySelector('[data-testid="timeline"]');
      return e.scrollWidth > e.clientWidth + 500;
    }), 'zooming in did not make the week wider than the window');
    const timeline = await scrollTo(app, '[data-testid="timeline"]', { x: 0.6, y: 0.5 });
    assert.ok(timeline.left > 200 && timeline.top > 200, `the timeline scrolls right and down: ${JSON.stringify(timeline)}`);
    // The Week view's grid, scrolled to the evening (EventCalendar starts it at 08:00).
    await click(app, '[data-testid="view-resourceTimeGridWeek"]');
    await (await app.$('[data-testid="scheduler"] .ec-main')).waitForDisplayed({ timeout: 10000 });
    // Past the scroll back of a newly drawn grid (none here: nothing was remembered for it yet).
    const grid = await scrollTo(app, '[data-testid="scheduler"] .ec-main', { x: 0, y: 1 });
    assert.ok(grid.top > 150, `the time grid scrolls well past 08:00: ${JSON.stringify(grid)}`);
    await waitFor(() => {
      try {
        const prefs = viewPrefsIn(dataDir);
        const kept = JSON.parse(prefs['quick3.scheduler.scroll'] ?? '{}');
        return JSON.parse(prefs['quick3.scheduler.timelineZoom'] ?? '{}').step === 2
          && kept.grid === grid.top && kept.timeline?.left === timeline.left && kept.timeline?.top === timeline.top;
      } catch {
        return false;
      }
    }, `the app's store (view-prefs.json) does not keep zoom step 2 and the scroll positions ${JSON.stringify({ grid, timeline })}`, 5000);

    const main = instancePid();
    const web = webProcesses(main);
    await closeWindowUntil(() => web.every((p) => !alive(p.pid)), 'the web process did not end when the window closed');
    await tray.click('Open Quick3 Planner');
    await switchToReopenedWindow(app);
    await waitForScroll(app, '[data-testid="scheduler"] .ec-main', { top: grid.top },
      'the rebuilt window shows the hours the planner left');
    await click(app, '[data-testid="view-resourceTimelineWeek"]');
    assert.equal(await (await app.$('[data-testid="timeline-zoom-out"]')).isEnabled(), true,
      'the timeline comes back zoomed in (zoom step 0 disables Zoom out)');
    await waitForScroll(app, '[data-testid="timeline"]', timeline, 'the timeline comes back where the planner left it');

    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning(), 'Quit ends the app');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    }
    tray.stop();
  }
});

test('--hidden starts in the tray with no window; Open from the tray builds it', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('hidden');
  const child = spawn(process.env.APP_BIN, ['--data-dir', dataDir, '--demo', '--hidden'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await tray.item();
    assert.deepEqual(labelsOf(await tray.menu()), MENU, 'the tray icon is there');
    // The tray registered after the set-up; a window would have been built before it.
    assert.equal(xWindowExists(TITLE), false, '--hidden shows no window');
    assert.deepEqual(webProcesses(child.pid), [], '--hidden starts no web process');

    await tray.click('Open Quick3 Planner');
    await waitFor(() => xWindowExists(TITLE), `Open from the tray showed no window; the app logged:\n${log}`, 20000);
    await waitFor(() => webProcesses(child.pid).length > 0, 'the window opened without a web process');

    await tray.click('Quit');
    const started = processesOf(child.pid);
    assert.equal(await exited, 0, 'Quit ends the app');
    await waitFor(() => started.every((p) => !alive(p.pid)), 'Quit left WebKit processes running');
  } finally {
    child.kill();
    tray.stop();
  }
});

test('Start with the session writes the autostart entry that starts hidden, and unticking removes it', async () => {
  // The desktop's autostart folder is ~/.config/autostart: a home of the test's own.
  const home = mkdtempSync(join(tmpdir(), 'quick3-e2e-home-'));
  const entry = join(home, '.config', 'autostart', 'Quick3 Planner.desktop');
  const app = await launch(freshDataDir('autostart'), { env: { HOME: home } });
  try {
    await click(app, '[data-testid="home-menu"]');
    await click(app, '[data-testid="menu-settings"]');
    await click(app, '[data-testid="settings-jobs"]');
    const box = await app.$('[data-testid="start-with-session"] input');
    await box.waitForDisplayed({ timeout: 10000 });
    assert.equal(await box.isSelected(), false, 'off by default');
    assert.equal(existsSync(entry), false, 'no entry before the tick');

    await box.click();
    await waitFor(() => existsSync(entry), `ticking wrote no ${entry}`, 5000);
    const text = readFileSync(entry, 'utf8');
    assert.match(text, new RegExp(`^Exec=${process.env.APP_BIN} --hidden$`, 'm'),
      'the session starts this binary hidden, in the tray');
    await app.waitUntil(() => box.isSelected(), { timeout: 5000, timeoutMsg: 'the box is not ticked' });

    await box.click();
    await waitFor(() => !existsSync(entry), 'unticking left the autostart entry', 5000);
    await app.waitUntil(async () => !(await box.isSelected()), { timeout: 5000, timeoutMsg: 'the box stayed ticked' });
  } finally {
    await app.deleteSession();
  }
});

test('without a tray, closing says once that scheduled syncs stop, then quits', async () => {
  const dataDir = freshDataDir('close-notice');
  quick3(dataDir, 'job', 'add', '--name', 'Hourly sync', '--every', '1h');
  let app = await launch(dataDir);
  let quit = false;
  try {
    const main = instancePid();
    const notice = '[data-testid="close-notice"]';
    await closeWindowUntil(async () => (await app.$(notice)).isDisplayed(), 'closing showed no notice');
    await waitForText(app, notice, 'scheduled syncs stop until you open it again');
    assert.ok(alive(main), 'the app waits for the planner before it quits');
    await click(app, '[data-testid="close-notice-again"]');
    // The window closes under the click: WebDriver may report the click's page gone.
    await click(app, '[data-testid="close-notice-close"]').catch(() => {});
    quit = true;
    await waitFor(() => !alive(main) && !instanceRunning(), 'Close Quick3 Planner did not quit');
  } finally {
    // Once the app has quit, the session has no window left to close; it only ends.
    await app.deleteSession().catch((err) => {
      if (!quit) throw err;
    });
  }

  // "Don't show this again": the next close quits at once.
  app = await launch(dataDir);
  const main = instancePid();
  await closeWindowUntil(() => !alive(main), 'closing again did not quit at once');
  await app.deleteSession().catch(() => {}); // the app has quit: nothing left to close
});

