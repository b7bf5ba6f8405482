// Living in the tray (issue #20), with tray-host.py as the desktop's tray: the tray is a process
// of its own (quick3-tray: no GTK, no WebKit) that runs the scheduled jobs; the window is a
// process that ends with its window, web process and all; the tray's Open starts it again, at the
// view, date, resource filter, timeline zoom and scroll positions the planner left (kept in the
// app's store in the data folder, not the page); Quit ends every process; `--hidden` starts only the tray; Start
// with the session writes the desktop's autostart entry and removes it; without a tray, closing
// says once that scheduled syncs stop, then quits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  click, freshDataDir, instancePid, instanceRunning, launch, quick3, textOf, waitForText,
} from './app.mjs';
import { alive, mappedLibraries, processesOf, waitFor, xWindowExists } from './processes.mjs';
import { closeWindowUntil, labelsOf, MENU, pidOfBusName, startTrayHost } from './tray.mjs';

const TITLE = 'Quick3 Planner';
const webProcesses = (pid) => processesOf(pid).filter((p) => p.name.startsWith('WebKitWebProces'));
const GUI_LIBRARIES = /^lib(gtk-3|webkit2gtk|javascriptcoregtk|LLVM)/;

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

/** The runs of the job named `name`, newest first, as the CLI reads them from the store. */
function runsOf(dataDir, name) {
  const job = JSON.parse(quick3(dataDir, 'job', 'list', '--json')).find((j) => j.name === name);
  return JSON.parse(quick3(dataDir, 'job', 'history', String(job.id), '--json'));
}

test('closed with a tray: the window process ends, the tray process runs a job, Open starts the window at the view and date, Quit ends all', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('tray-window');
  quick3(dataDir, 'job', 'add', '--name', 'Sync while closed', '--every', '1d');
  let app = await launch(dataDir);
  let quit = false;
  let left = null;
  let trayPid = null;
  try {
    const item = await tray.item();
    trayPid = pidOfBusName(item.service);
    const main = instancePid();
    assert.notEqual(trayPid, main, 'the tray icon belongs to a process other than the window\'s');
    assert.deepEqual(mappedLibraries(trayPid, GUI_LIBRARIES), [],
      'the tray process maps no GTK, WebKit, JavaScriptCore or Mesa library');
    assert.deepEqual(labelsOf(await tray.menu()), MENU, 'the tray process\'s menu');

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
    left = await schedulerPlace(app);
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

    // The window process started the tray process: it runs under it, but is no part of the window.
    const tree = processesOf(main);
    const trayTree = new Set(processesOf(trayPid).map((p) => p.pid));
    const window = tree.filter((p) => !trayTree.has(p.pid));
    assert.ok(webProcesses(main).length > 0, `the open window has a web process under it: ${JSON.stringify(window)}`);
    await closeWindowUntil(() => window.every((p) => !alive(p.pid)),
      `closing the window left its processes running: ${JSON.stringify(window.filter((p) => alive(p.pid)))}`);
    assert.equal(xWindowExists(TITLE), false, 'the window is gone from the screen');
    assert.ok(alive(trayPid), 'the tray process lives on');
    assert.deepEqual(labelsOf(await tray.menu()), MENU, 'the tray icon and its menu are still there');

    // A scheduled job falls due while the window is closed: the tray process runs it.
    quick3(dataDir, 'job', 'run-now', 'Sync while closed');
    await waitFor(() => runsOf(dataDir, 'Sync while closed').some((r) => r.result === 'succeeded'),
      `no run of the job while the window was closed: ${JSON.stringify(runsOf(dataDir, 'Sync while closed'))}`, 60000);
    await waitFor(async () => /^Last run: Sync while closed: succeeded/.test(labelsOf(await tray.menu())[0]),
      'the tray\'s menu does not name the run', 5000);

    // Open starts the window process again.
    await tray.click('Open Quick3 Planner');
    await waitFor(() => instanceRunning() && xWindowExists(TITLE), 'Open from the tray showed no window', 20000);
    const reopened = instancePid();
    assert.notEqual(reopened, main, 'a new window process');
    await waitFor(() => webProcesses(reopened).length > 0, 'the reopened window has no web process');
    const started = [...processesOf(trayPid), ...processesOf(reopened)].map((p) => p.pid);

    await tray.click('Quit');
    quit = true;
    await waitFor(() => started.every((pid) => !alive(pid)),
      `Quit left processes running: ${JSON.stringify(started.filter(alive))}`);
    assert.equal(instanceRunning(), false, 'Quit ends the window process');
    await app.deleteSession().catch(() => {}); // its window process ended at the close

    // WebDriver drives only a window process it starts: the view and date the planner left are
    // those a new window process of the folder shows (Open starts the same binary on the folder).
    app = await launch(dataDir);
    quit = false;
    assert.deepEqual(await schedulerPlace(app), left, 'the window comes back at the view, date and filter the planner left');
    trayPid = pidOfBusName((await tray.item()).service);
    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning() && !alive(trayPid), 'Quit did not end the window and tray processes');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    } finally {
      if (trayPid && alive(trayPid)) process.kill(trayPid);
      tray.stop();
    }
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
  let app = await launch(dataDir);
  let quit = false;
  let trayPid = null;
  try {
    trayPid = pidOfBusName((await tray.item()).service);
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
    }, () => `the app's store (view-prefs.json) does not keep zoom step 2 and the scroll positions ${JSON.stringify({ grid, timeline })}: it holds ${JSON.stringify(viewPrefsIn(dataDir))}`, 15000);

    const main = instancePid();
    const web = webProcesses(main);
    await closeWindowUntil(() => web.every((p) => !alive(p.pid)), 'the web process did not end when the window closed');
    await app.deleteSession().catch(() => {}); // its window process ended at the close
    // WebDriver drives only a window process it starts: a new window process of the folder (what
    // the tray's Open starts) shows where the planner left it.
    app = await launch(dataDir);
    await waitForScroll(app, '[data-testid="scheduler"] .ec-main', { top: grid.top },
      'the rebuilt window shows the hours the planner left');
    await click(app, '[data-testid="view-resourceTimelineWeek"]');
    assert.equal(await (await app.$('[data-testid="timeline-zoom-out"]')).isEnabled(), true,
      'the timeline comes back zoomed in (zoom step 0 disables Zoom out)');
    await waitForScroll(app, '[data-testid="timeline"]', timeline, 'the timeline comes back where the planner left it');

    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning() && !alive(trayPid), 'Quit did not end the window and tray processes');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    } finally {
      if (trayPid && alive(trayPid)) process.kill(trayPid);
      tray.stop();
    }
  }
});

test('--hidden starts only the tray process, with no window; Open from the tray starts the window', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('hidden');
  const child = spawn(process.env.APP_BIN, ['--data-dir', dataDir, '--demo', '--hidden'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const item = await tray.item();
    const trayPid = pidOfBusName(item.service);
    assert.notEqual(trayPid, child.pid, 'the icon is the tray process\'s');
    assert.equal(await exited, 0, '--hidden ends once the tray process runs');
    assert.deepEqual(labelsOf(await tray.menu()), MENU, 'the tray icon is there');
    assert.equal(xWindowExists(TITLE), false, '--hidden shows no window');
    assert.equal(instanceRunning(), false, '--hidden starts no window process');

    await tray.click('Open Quick3 Planner');
    await waitFor(() => instanceRunning() && xWindowExists(TITLE), `Open from the tray showed no window; the app logged:\n${log}`, 20000);
    const window = instancePid();
    await waitFor(() => webProcesses(window).length > 0, 'the window opened without a web process');

    const started = [...processesOf(trayPid), ...processesOf(window)].map((p) => p.pid);
    await tray.click('Quit');
    await waitFor(() => started.every((pid) => !alive(pid)),
      `Quit left processes running: ${JSON.stringify(started.filter(alive))}`);
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

