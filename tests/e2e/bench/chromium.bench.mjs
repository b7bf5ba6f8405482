// Benchmark, not a test: the Scheduler's UI bundle (ui/dist) in headless Chromium with the same
// data as the real window (the 5,000 appointments of `quick3 demo scale`, read with the CLI),
// the backend answered in the page from that data. It tells the cost of our UI apart from
// WebKitGTK's and from the IPC. Run by `script/bench-scheduler --chromium`; see
// docs/benchmarks.md.
import { test } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { remote } from 'webdriverio';
import { ARTIFACTS, quick3 } from '../app.mjs';
import { ms, stored, summary, timeClick, weekFrom } from './measure.mjs';

const SPREAD = process.env.QUICK3_BENCH_SPREAD_DIR;
const DIST = new URL('../../../ui/dist/', import.meta.url).pathname;
const ROUNDS = Number(process.env.QUICK3_BENCH_ROUNDS ?? 5);
const LAUNCHES = Number(process.env.QUICK3_BENCH_SCHEDULER_LAUNCHES ?? 2);
const CHROMIUM = process.env.QUICK3_BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMEDRIVER = process.env.QUICK3_BENCH_CHROMEDRIVER ?? '/usr/bin/chromedriver';

/**
 * The backend in the page: Tauri's IPC entry point answering from the recorded data —
 * `list_appointments` as the shell does (the cards of appointments overlapping [from, to), a fresh copy of
 * each, as a JSON answer over IPC is), the rest empty.
 */
const SHIM = `(() => {
  const data = window.__QUICK3_BENCH__;
  const instant = (text, end) => /^\\d{4}-\\d{2}-\\d{2}$/.test(text) ? Date.parse(text + 'T00:00:00Z') : Date.parse(text);
  let next = 1;
  window.isTauri = true;
  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    transformCallback: () => next++,
    unregisterCallback: () => {},
    convertFileSrc: (path) => path,
    async invoke(cmd, args) {
      const copy = (value) => JSON.parse(JSON.stringify(value));
      switch (cmd) {
        case 'overview': return copy(data.overview);
        case 'list_resources': return copy(data.resources);
        case 'list_appointments': {
          const from = Date.parse(args.from), to = Date.parse(args.to);
          return copy(data.appointments.filter((r) => instant(r.start) < to && instant(r.end) > from));
        }
        case 'set_display_time_zone': return args.zone ?? data.overview.display_time_zone;
        case 'background_status': return { tray: false, paused: false };
        default: return cmd.startsWith('list_') || cmd === 'all_accounts' || cmd === 'job_runs' ? [] : null;
      }
    },
  };
})();`;

function serve(data) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/bench-data.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`window.__QUICK3_BENCH__ = ${JSON.stringify(data)};\n${SHIM}`);
      return;
    }
    const file = join(DIST, normalize(path === '/' ? 'index.html' : path).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    let body = readFileSync(file);
    if (file.endsWith('index.html')) body = body.toString().replace('<head>', '<head><script src="/bench-data.js"></script>');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const CARD_FIELDS = ['id', 'resource_id', 'title', 'all_day', 'start', 'end', 'time_zone', 'show_as',
  'sensitivity', 'origin', 'read_only', 'upload'];

/** The data the window would get: resources, every appointment, an overview (planner = first person). */
function record(dataDir) {
  const resources = JSON.parse(quick3(dataDir, 'resource', 'list', '--json'));
  const records = JSON.parse(execFileSync(process.env.QUICK3_CLI_BIN, ['appointment', 'list', '--json'],
    { env: { ...process.env, QUICK3_DATA_DIR: dataDir }, encoding: 'utf8', maxBuffer: 1 << 30 }));
  // What `list_appointments` answers the window: cards (ui/src/bindings/AppointmentCard.ts),
  // not whole records.
  const appointments = records.map((r) => Object.fromEntries(CARD_FIELDS.filter((f) => f in r).map((f) => [f, r[f]])));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const me = resources.find((r) => r.kind === 'person') ?? resources[0];
  return {
    resources,
    appointments,
    overview: {
      planner: { name: me.name, my_resource_id: me.id, may_edit_resource_settings: false },
      my_resource: me,
      office365_module_active: true,
      administrator: false,
      demo_mode: false,
      time_zone: zone,
      display_time_zone: zone,
    },
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the Scheduler bundle in headless Chromium: 5,000 appointments across 100 resources', { skip: !SPREAD }, async () => {
  const data = record(SPREAD);
  const server = await serve(data);
  const driverPort = await freePort();
  const driver = spawn(CHROMEDRIVER, [`--port=${driverPort}`], { stdio: 'ignore' });
  const version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  const thisWeek = stored(SPREAD, ...weekFrom(0));
  const nextWeek = stored(SPREAD, ...weekFrom(1));
  const launches = [];
  try {
    for (let i = 0; i < LAUNCHES; i++) {
      const browser = await remote({
        hostname: '127.0.0.1',
        port: driverPort,
        logLevel: 'error',
        connectionRetryCount: 20,
        capabilities: {
          browserName: 'chrome',
          'goog:chromeOptions': {
            binary: CHROMIUM,
            args: ['--headless=new', '--no-sandbox', '--window-size=1400,900', '--disable-dev-shm-usage'],
          },
        },
      });
      try {
        await browser.url(`http://127.0.0.1:${server.address().port}/`);
        // Start in the Day view (the view is remembered in the page's storage).
        await browser.execute(() => localStorage.setItem('quick3.scheduler.view', 'resourceTimeGridDay'));
        await browser.refresh();
        await (await browser.$('[data-testid="view-resourceTimeGridDay"][aria-pressed="true"]')).waitForExist({ timeout: 60000 });
        await browser.waitUntil(() => browser.execute(() => !!document.querySelector('[data-testid="scheduler"] .ec-body')), {
          timeout: 60000,
          timeoutMsg: 'the Day view is not drawn',
        }).catch(async (e) => {
          await browser.saveScreenshot(join(ARTIFACTS, 'bench-chromium-failed.png'));
          throw new Error(`${e.message}; the page says: ${await browser.execute(() => document.body.innerText.slice(0, 400))}`);
        });
        const first = await timeClick(browser, '[data-testid="view-resourceTimelineWeek"]', thisWeek, weekFrom(0)[0]);
        const next = [];
        const back = [];
        let lastNext = null;
        for (let r = 0; r < ROUNDS; r++) {
          lastNext = await timeClick(browser, '[data-testid="sched-next"]', nextWeek, weekFrom(1)[0]);
          next.push(lastNext.ms);
          back.push((await timeClick(browser, '[data-testid="sched-prev"]', thisWeek, weekFrom(0)[0])).ms);
        }
        if ([first.ms, ...next, ...back].some(Number.isNaN)) throw new Error('a render did not finish');
        await browser.execute(() => { document.querySelector('[data-testid="timeline"]').scrollLeft = 0; });
        await browser.saveScreenshot(join(ARTIFACTS, 'bench-chromium-timeline.png'));
        launches.push({
          first_render_ms: ms(first.ms),
          cards_drawn: first.drawn,
          next_week: next.map(ms),
          previous_week: back.map(ms),
          first_render_parts: first.parts,
          next_week_parts: lastNext?.parts,
        });
        console.log(`chromium launch ${i + 1}: ${JSON.stringify(launches.at(-1))}`);
      } finally {
        await browser.deleteSession();
      }
    }
  } finally {
    driver.kill();
    server.close();
  }
  const result = {
    browser: version,
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    build: process.env.QUICK3_BENCH_BUILD ?? 'unknown',
    data: { resources: data.resources.length, appointments: data.appointments.length, this_week: thisWeek, next_week: nextWeek },
    first_render: summary(launches.map((l) => l.first_render_ms)),
    next_week: summary(launches.flatMap((l) => l.next_week)),
    previous_week: summary(launches.flatMap((l) => l.previous_week)),
    launches,
  };
  writeFileSync(join(ARTIFACTS, 'bench-scheduler-chromium.json'), `${JSON.stringify(result, null, 1)}\n`);
  console.log(JSON.stringify({ ...result, launches: undefined }, null, 1));
});
