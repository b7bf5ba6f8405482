// Benchmark, not a test (figures are reported, never asserted): the app living in the tray
// (issue #20), split in two processes. With tray-host.py as the desktop's tray and the demo data:
// the PSS of every process the app started (the tray process; the window process with WebKit's
// network and web processes) with the window open, 60 s after it was closed, and with it open
// again; the tray's Open to the window on the screen; a window process's cold start to an
// interactive Scheduler; and an empty WebKitGTK view (MiniBrowser on about:blank) for reference.
// Run by script/bench-tray; docs/benchmarks.md says what each means.
import { test } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, freshDataDir, instancePid, instanceRunning, launch, quick3 } from '../app.mjs';
import { alive, memory, processesOf, pssByMapping, sleep, waitFor, xWindowExists } from '../processes.mjs';
import { closeWindowUntil, pidOfBusName, startTrayHost } from '../tray.mjs';
import { ms, summary } from './measure.mjs';

const IDLE_SECONDS = Number(process.env.QUICK3_BENCH_IDLE_SECONDS ?? 10);
const CLOSED_SECONDS = Number(process.env.QUICK3_BENCH_CLOSED_SECONDS ?? 60);
const REOPENS = Number(process.env.QUICK3_BENCH_REOPENS ?? 3);
/** The reference: an empty WebKitGTK view (the same WebKit2GTK 4.1 as the app's). */
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const TITLE = 'Quick3 Planner';

/** When a process started, in ms since the epoch (10 ms steps: the kernel's clock ticks). */
function startedAt(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const boot = Number(/btime (\d+)/.exec(readFileSync('/proc/stat', 'utf8'))[1]);
  return boot * 1000 + ticks * 10;
}

/** The whole app: the tray process and the window process, each with what runs under it. */
function appMemory(trayPid, windowPid) {
  const tray = memory(trayPid);
  if (!windowPid || !alive(windowPid)) return { ...tray, processes: tray.processes };
  const trayPids = new Set(tray.processes.map((p) => p.pid));
  const window = memory(windowPid);
  const windowProcesses = window.processes.filter((p) => !trayPids.has(p.pid));
  const processes = [...tray.processes, ...windowProcesses];
  const sum = (key) => Math.round(processes.reduce((a, p) => a + p[key], 0) * 10) / 10;
  return { pss_mb: sum('pss_mb'), rss_mb: sum('rss_mb'), processes };
}

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const mem = /MemTotal:\s*(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu,
    memory_gib: mem ? Math.round(Number(mem) / 1048576) : null,
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    webkit: execFileSync('sh', ['-c', "dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || true"], { encoding: 'utf8' }),
    gpu_render_node: existsSync('/dev/dri') && readdirSync('/dev/dri').some((name) => name.startsWith('renderD')),
  };
}

/** Memory as reported: the sum and each process's PSS (anonymous / file-backed). */
const brief = (m) => ({
  pss_mb: m.pss_mb,
  rss_mb: m.rss_mb,
  processes: m.processes.map((p) => `${p.name} ${p.pss_mb} MB (anon ${p.pss_anon_mb}, file ${p.pss_file_mb})`),
});

test('the app in the tray: memory open and closed, reopening time, an empty WebKitGTK view', async () => {
  const results = { machine: machine(), build: process.env.QUICK3_BENCH_BUILD ?? 'unknown', date: new Date().toISOString() };
  const tray = await startTrayHost();
  const dataDir = freshDataDir('bench-tray');
  // A scheduled job (an hourly sync of every account); the app seeds the demo data.
  quick3(dataDir, 'job', 'add', '--name', 'Hourly sync', '--every', '1h');
  let app = await launch(dataDir);
  let trayPid = null;
  try {
    trayPid = pidOfBusName((await tray.item()).service);
    const first = instancePid();
    await sleep(IDLE_SECONDS * 1000);
    results.window_open = brief(appMemory(trayPid, first));

    const trayTree = new Set(processesOf(trayPid).map((p) => p.pid));
    const window = processesOf(first).filter((p) => !trayTree.has(p.pid));
    await closeWindowUntil(() => window.every((p) => !alive(p.pid)), 'the window process did not end');
    await sleep(CLOSED_SECONDS * 1000);
    results.closed_60s = brief(appMemory(trayPid, null));
    results.closed_window_processes_left = window.filter((p) => alive(p.pid)).length;
    results.closed_tray_process_by_mapping_mb = pssByMapping(trayPid);
    await app.deleteSession().catch(() => {}); // its process ended with the window

    // The tray's Open: a new window process, until its window is on the screen.
    const onScreen = [];
    for (let round = 0; round < REOPENS; round++) {
      const clicked = Date.now();
      await tray.click('Open Quick3 Planner');
      await waitFor(() => xWindowExists(TITLE), 'Open showed no window', 20000);
      onScreen.push(Date.now() - clicked);
      await waitFor(() => instanceRunning(), 'no window process after Open', 20000);
      const opened = instancePid();
      await sleep(2000);
      await closeWindowUntil(() => !alive(opened), 'the reopened window process did not end');
    }
    results.open_to_window_on_screen_ms = summary(onScreen);

    // A window process's cold start (what Open starts) to an interactive Scheduler: WebDriver
    // reads the page's mark, so these window processes are started by it, beside the tray.
    const cold = [];
    for (let round = 0; round < REOPENS; round++) {
      app = await launch(dataDir);
      const pid = instancePid();
      await app.waitUntil(() => app.execute(() => performance.getEntriesByName('quick3:scheduler-shown').length > 0),
        { timeout: 20000, interval: 50, timeoutMsg: 'the Scheduler was not shown' });
      const shown = await app.execute(() =>
        performance.timeOrigin + performance.getEntriesByName('quick3:scheduler-shown')[0].startTime);
      cold.push(shown - startedAt(pid));
      if (round < REOPENS - 1) {
        await closeWindowUntil(() => !alive(pid), 'the window process did not end');
        await app.deleteSession().catch(() => {});
      }
    }
    results.window_process_start_to_scheduler_ms = summary(cold);
    await sleep(IDLE_SECONDS * 1000);
    results.window_reopened = brief(appMemory(trayPid, instancePid()));
    await tray.click('Quit');
    await waitFor(() => !alive(trayPid) && !instanceRunning(), 'Quit left the app running');
  } finally {
    await app.deleteSession().catch(() => {});
    if (trayPid && alive(trayPid)) process.kill(trayPid);
    tray.stop();
  }

  // WebKitGTK's own MiniBrowser on about:blank, drawing without compositing as the app does here.
  const empty = spawn(MINIBROWSER, ['about:blank'],
    { stdio: 'ignore', env: { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: '1', HOME: mkdtempSync(join(tmpdir(), 'quick3-empty-view-')) } });
  try {
    await sleep(IDLE_SECONDS * 1000);
    results.empty_webkitgtk_view = brief(memory(empty.pid));
  } finally {
    empty.kill();
  }
  results.own_share_open_mb = ms(results.window_open.pss_mb - results.empty_webkitgtk_view.pss_mb);

  console.log(JSON.stringify(results, null, 2));
  writeFileSync(join(ARTIFACTS, 'bench-tray.json'), `${JSON.stringify(results, null, 2)}\n`);
});
