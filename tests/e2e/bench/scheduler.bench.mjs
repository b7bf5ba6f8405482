// Benchmark, not a test (times are reported, never asserted): the Scheduler in the real window
// with many appointments, app cold start to an interactive window, and idle memory of the whole
// app. Run by script/bench-scheduler, which builds the app and seeds the data folders; see
// docs/benchmarks.md for what each figure means.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { ARTIFACTS, instanceRunning, quick3 } from '../app.mjs';
import { ms, stored, summary, timeClick, weekFrom } from './measure.mjs';
import { memory } from '../processes.mjs';

// 5,000 appointments across 100 resources, over 4 weeks from this one, and all in this week.
const SPREAD = process.env.QUICK3_BENCH_SPREAD_DIR;
const DENSE = process.env.QUICK3_BENCH_DENSE_DIR;
const DEMO = process.env.QUICK3_BENCH_DEMO_DIR; // the ordinary demo data
const LAUNCHES = Number(process.env.QUICK3_BENCH_LAUNCHES ?? 3);
const ROUNDS = Number(process.env.QUICK3_BENCH_ROUNDS ?? 1);
// Renders of weeks this full take minutes in WebKitGTK today: one launch of those by default.
const SCHEDULER_LAUNCHES = Number(process.env.QUICK3_BENCH_SCHEDULER_LAUNCHES ?? 1);
const IDLE_SECONDS = Number(process.env.QUICK3_BENCH_IDLE_SECONDS ?? 10);
/** A summary of the figures that were measured (none: null). */
const summaryOf = (xs) => (xs.some((x) => x !== null) ? summary(xs.filter((x) => x !== null)) : null);
const results = { machine: machine(), build: process.env.QUICK3_BENCH_BUILD ?? 'unknown', runs: [] };

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const mem = /MemTotal:\s*(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu,
    memory_gib: mem ? Math.round(Number(mem) / 1048576) : null,
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    webkit: execFileSync('sh', ['-c', "dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || true"], { encoding: 'utf8' }),
    // The app draws without compositing where no GPU render node exists, unless this is set.
    gpu_render_node: existsSync('/dev/dri') && readdirSync('/dev/dri').some((name) => name.startsWith('renderD')),
    webkit_disable_compositing_mode: process.env.WEBKIT_DISABLE_COMPOSITING_MODE ?? null,
  };
}


/**
 * Starts the app on `dataDir` (as app.mjs's launch, without demo mode) with room for requests
 * that wait minutes for a render to finish.
 */
async function launch(dataDir) {
  // The app closed before may still hold its single-instance name: a new one would hand over to
  // it and exit, and the session would wait for a window forever.
  for (const until = Date.now() + 15000; instanceRunning() && Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.QUICK3_E2E_PORT ?? 4444),
    logLevel: 'error',
    connectionRetryCount: 0,
    connectionRetryTimeout: 15 * 60000,
    capabilities: { 'tauri:options': { application: process.env.APP_BIN, args: ['--data-dir', dataDir] } },
  });
  await (await browser.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 60000 });
  return browser;
}

/** The pid of the app started on `dataDir` (WebKitWebDriver starts it for the session). */
function appPid(dataDir) {
  const out = execFileSync('pgrep', ['-f', `quick3-planner --data-dir ${dataDir}`], { encoding: 'utf8' });
  return Number(out.trim().split('\n')[0]);
}

/** The wall-clock moment (ms since the epoch) a process started, to 10 ms (clock ticks). */
function startedAt(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]); // field 22 of stat: start time in clock ticks after boot
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const now = Date.now();
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return now - (uptime - ticks / hz) * 1000;
}

/** The app's log: tauri-driver passes on what WebKitWebDriver's child, the app, writes. */
const APP_LOG = join(ARTIFACTS, 'tauri-driver.log');
const logSize = () => { try { return statSync(APP_LOG).size; } catch { return 0; } };

/**
 * The app's start-up marks logged since byte `from` of its log (src-tauri/launch.rs `mark`): ms
 * after the start of its `run`, by step.
 */
function startupMarks(from) {
  let text = '';
  try { text = readFileSync(APP_LOG).subarray(from).toString('utf8'); } catch { return {}; }
  const marks = {};
  for (const [, step, at] of text.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/start-up: (.+?) at ([\d.]+) ms/g)) {
    if (!(step in marks)) marks[step] = Number(at);
  }
  return marks;
}

/**
 * Launches the app on `dataDir` and measures cold start: from the process's start to the window
 * drawn with the Scheduler's grid, and with its first appointment cards (the page's User Timing
 * marks, see ui/src/main.ts), and to the page's first contentful paint; with the app's own
 * start-up marks.
 */
async function coldStart(dataDir) {
  const logFrom = logSize();
  const app = await launch(dataDir);
  const pid = appPid(dataDir);
  const started = startedAt(pid);
  await app.waitUntil(() => app.execute(() => performance.getEntriesByName('quick3:scheduler-shown').length > 0),
    { timeout: 60000, interval: 100, timeoutMsg: 'the Scheduler was not shown' });
  // A day without appointments (a weekend in the Day view) has no first cards: null then.
  await app.waitUntil(() => app.execute(() => performance.getEntriesByName('quick3:first-cards').length > 0),
    { timeout: 5000, interval: 100 }).catch(() => {});
  const at = await app.execute(() => {
    const mark = (name) => {
      const entry = performance.getEntriesByName(name)[0];
      return entry ? performance.timeOrigin + entry.startTime : null;
    };
    const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    // The page's own steps (ui/src/main.ts, App.svelte, Scheduler.svelte), and the document's.
    const nav = performance.getEntriesByType('navigation')[0];
    const steps = {};
    if (nav) {
      steps['document received'] = performance.timeOrigin + nav.responseEnd;
      steps['document parsed'] = performance.timeOrigin + nav.domInteractive;
    }
    for (const entry of performance.getEntriesByType('mark')) {
      if (entry.name.startsWith('quick3:') && !(entry.name in steps)) steps[entry.name] = performance.timeOrigin + entry.startTime;
    }
    return {
      steps,
      page: performance.timeOrigin,
      paint: fcp ? performance.timeOrigin + fcp.startTime : null,
      grid: mark('quick3:scheduler-shown'),
      cards: mark('quick3:first-cards'),
    };
  });
  return {
    app,
    pid,
    to_page_start_ms: ms(at.page - started),
    to_first_paint_ms: at.paint === null ? null : ms(at.paint - started),
    to_grid_ms: ms(at.grid - started),
    to_cards_ms: at.cards === null ? null : ms(at.cards - started),
    startup_marks: startupMarks(logFrom),
    page_marks: Object.fromEntries(Object.entries(at.steps).map(([step, t]) => [step, ms(t - started)])),
  };
}

async function settle(app, selector, expected, week) {
  const r = await timeClick(app, selector, expected, week);
  if (Number.isNaN(r.ms)) throw new Error(`${selector}: expected ${expected} appointments, the Scheduler shows ${r.cards}`);
  return r;
}

/**
 * One data folder of many appointments: per launch, the first render of this week in each view
 * (from the Day view), then `rounds` times Next (to next week) and Previous (back).
 */
async function scheduler(name, dataDir, { launches, rounds, views }) {
  const thisWeek = stored(dataDir, ...weekFrom(0));
  const nextWeek = stored(dataDir, ...weekFrom(1));
  const resources = JSON.parse(quick3(dataDir, 'resource', 'list', '--json')).length;
  const run = { name, data: { resources, appointments_this_week: thisWeek, appointments_next_week: nextWeek }, launches: [] };
  for (let i = 0; i < launches; i++) {
    const start = await coldStart(dataDir);
    const { app } = start;
    try {
      // Each launch starts in the Day view (the default; the view is remembered, so the bench
      // picks Day again before it closes the app).
      const launchResult = {
        cold_start_ms: start.to_cards_ms,
        cold_start_grid_ms: start.to_grid_ms,
        page_marks: start.page_marks,
      };
      console.log(`${name} launch ${i + 1} cold start: ${JSON.stringify(start.page_marks)}`);
      for (const view of views) {
        const first = await settle(app, `[data-testid="view-${view}"]`, thisWeek, weekFrom(0)[0]);
        const next = [];
        const back = [];
        let lastNext = null;
        for (let r = 0; r < rounds; r++) {
          lastNext = await settle(app, '[data-testid="sched-next"]', nextWeek, weekFrom(1)[0]);
          next.push(lastNext.ms);
          back.push((await settle(app, '[data-testid="sched-prev"]', thisWeek, weekFrom(0)[0])).ms);
        }
        launchResult[view] = {
          first_render_ms: ms(first.ms),
          next_week: next.map(ms),
          previous_week: back.map(ms),
          cards_drawn: first.drawn,
          first_render_parts: first.parts,
          next_week_parts: lastNext?.parts,
        };
        console.log(`${name} launch ${i + 1} ${view}: ${JSON.stringify(launchResult[view])}`);
      }
      launchResult.memory_after = memory(start.pid);
      await app.execute(() => document.querySelector('[data-testid="view-resourceTimeGridDay"]').click());
      await app.waitUntil(() => app.$('[data-testid="view-resourceTimeGridDay"][aria-pressed="true"]').isExisting(),
        { timeout: 600000, interval: 500 });
      run.launches.push(launchResult);
    } finally {
      await app.deleteSession();
    }
  }
  for (const view of views) {
    run[view] = {
      first_render: summary(run.launches.map((l) => l[view].first_render_ms)),
      next_week: summary(run.launches.flatMap((l) => l[view].next_week)),
      previous_week: summary(run.launches.flatMap((l) => l[view].previous_week)),
    };
  }
  run.cold_start_to_grid = summary(run.launches.map((l) => l.cold_start_grid_ms));
  run.cold_start_to_cards = summaryOf(run.launches.map((l) => l.cold_start_ms));
  run.memory_after_rss_mb = summary(run.launches.map((l) => l.memory_after.rss_mb));
  run.memory_after_pss_mb = summary(run.launches.map((l) => l.memory_after.pss_mb));
  results.runs.push(run);
  console.log(JSON.stringify({ ...run, launches: undefined }, null, 1));
}

// The resource timeline is the week view for many resources; the time grid's week (a column per
// resource and day: 700 here) took over 10 minutes to draw in WebKitGTK, so it is measured only
// when asked for (QUICK3_BENCH_VIEWS=resourceTimelineWeek,resourceTimeGridWeek).
const WEEK_VIEWS = (process.env.QUICK3_BENCH_VIEWS ?? 'resourceTimelineWeek').split(',');

test('5,000 appointments across 100 resources over 4 weeks', { skip: !SPREAD }, async () => {
  await scheduler('spread', SPREAD, { launches: SCHEDULER_LAUNCHES, rounds: ROUNDS, views: WEEK_VIEWS });
});

test('5,000 appointments across 100 resources in one week', { skip: !DENSE }, async () => {
  await scheduler('dense', DENSE, { launches: 1, rounds: 1, views: ['resourceTimelineWeek'] });
});

test('cold start and idle memory with the demo data', { skip: !DEMO }, async () => {
  const launches = [];
  for (let i = 0; i < LAUNCHES; i++) {
    const start = await coldStart(DEMO);
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
      launches.push({ ...start, app: undefined, idle: memory(start.pid) });
    } finally {
      await start.app.deleteSession();
    }
  }
  const run = {
    name: 'demo',
    cold_start_to_grid: summary(launches.map((l) => l.to_grid_ms)),
    cold_start_to_cards: summaryOf(launches.map((l) => l.to_cards_ms)),
    cold_start_to_first_paint: launches.every((l) => l.to_first_paint_ms !== null)
      ? summary(launches.map((l) => l.to_first_paint_ms)) : null,
    page_start: summary(launches.map((l) => l.to_page_start_ms)),
    idle_rss_mb: summary(launches.map((l) => l.idle.rss_mb)),
    idle_pss_mb: summary(launches.map((l) => l.idle.pss_mb)),
    idle_processes: launches.at(-1).idle.processes,
    startup_marks: launches.map((l) => l.startup_marks),
    page_marks: launches.map((l) => l.page_marks),
  };
  results.runs.push(run);
  console.log(JSON.stringify(run, null, 1));
});

test('results', () => {
  writeFileSync(join(ARTIFACTS, 'bench-scheduler.json'), `${JSON.stringify(results, null, 1)}\n`);
  console.log(`machine: ${JSON.stringify(results.machine)}; build: ${results.build}`);
});
