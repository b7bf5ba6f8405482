// Benchmark, not a test (figures are reported, never asserted): the app living in the tray
// (issue #20). With tray-host.py as the desktop's tray and the demo data: the PSS of every process
// the app started with the window open, 60 s after it was closed (and after malloc_trim(0) in the
// app's process, called from gdb, to see what the C heap would give back), the time from the
// tray's Open to an interactive Scheduler, and an empty WebKitGTK view (MiniBrowser on
// about:blank) for reference. Run by script/bench-tray; docs/benchmarks.md says what each means.
import { test } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, freshDataDir, instancePid, launch, quick3 } from '../app.mjs';
import { alive, memory, processesOf, pssByMapping, sleep } from '../processes.mjs';
import { closeWindowUntil, startTrayHost, switchToReopenedWindow } from '../tray.mjs';
import { ms, summary } from './measure.mjs';

const IDLE_SECONDS = Number(process.env.QUICK3_BENCH_IDLE_SECONDS ?? 10);
const CLOSED_SECONDS = Number(process.env.QUICK3_BENCH_CLOSED_SECONDS ?? 60);
const REOPENS = Number(process.env.QUICK3_BENCH_REOPENS ?? 3);
/** The reference: an empty WebKitGTK view (the same WebKit2GTK 4.1 as the app's). */
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

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

/** Asks the app's process to give its C heap's free pages back (glibc's malloc_trim), via gdb. */
function mallocTrim(pid) {
  try {
    execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int) malloc_trim(0)'], { stdio: 'ignore', timeout: 60000 });
    return true;
  } catch {
    return false;
  }
}

test('the app in the tray: memory open and closed, reopening time, an empty WebKitGTK view', async () => {
  const results = { machine: machine(), build: process.env.QUICK3_BENCH_BUILD ?? 'unknown', date: new Date().toISOString() };
  const tray = await startTrayHost();
  const dataDir = freshDataDir('bench-tray');
  // A scheduled job (an hourly sync of every account); the app seeds the demo data.
  quick3(dataDir, 'job', 'add', '--name', 'Hourly sync', '--every', '1h');
  const app = await launch(dataDir);
  try {
    await tray.item();
    const main = instancePid();
    await sleep(IDLE_SECONDS * 1000);
    results.window_open = brief(memory(main));

    const reopen = [];
    for (let round = 0; round < REOPENS; round++) {
      const web = processesOf(main).filter((p) => p.name.startsWith('WebKitWebProces'));
      await closeWindowUntil(() => web.every((p) => !alive(p.pid)), 'the web process did not end');
      if (round === 0) {
        await sleep(CLOSED_SECONDS * 1000);
        results.closed_60s = brief(memory(main));
        results.closed_app_process_by_mapping_mb = pssByMapping(main);
        results.malloc_trim_called = mallocTrim(main);
        await sleep(2000);
        results.closed_after_malloc_trim = brief(memory(main));
      } else {
        await sleep(2000);
      }
      const clicked = Date.now();
      await tray.click('Open Quick3 Planner');
      await switchToReopenedWindow(app);
      await app.waitUntil(() => app.execute(() => performance.getEntriesByName('quick3:scheduler-shown').length > 0),
        { timeout: 20000, interval: 50, timeoutMsg: 'the Scheduler was not shown' });
      const shown = await app.execute(() =>
        performance.timeOrigin + performance.getEntriesByName('quick3:scheduler-shown')[0].startTime);
      reopen.push(shown - clicked);
    }
    results.reopen_to_scheduler_ms = summary(reopen);
    await sleep(IDLE_SECONDS * 1000);
    results.window_reopened = brief(memory(main));
    await tray.click('Quit');
  } finally {
    await app.deleteSession().catch(() => {});
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
