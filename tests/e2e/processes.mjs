// Process facts for the tests and benchmarks: the app's process tree (WebKit's web and network
// processes run under it), whether a process lives, its memory (PSS from smaps_rollup), and
// whether the X server shows a window with a title.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const round = (x) => Math.round(x * 10) / 10;

/** The process `root` and every process under it. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* gone */ }
  }
  const all = [];
  const walk = (pid) => { all.push(pid); for (const c of children.get(pid) ?? []) walk(c); };
  walk(root);
  return all;
}

/** A process's name (`comm`, at most 15 characters: `WebKitWebProces`), null once it ended. */
export function processName(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return null; // ended, not reaped
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

export const alive = (pid) => processName(pid) !== null;

/** The live processes of the tree under `root`, with their names. */
export function processesOf(root) {
  return processTree(root).map((pid) => ({ pid, name: processName(pid) })).filter((p) => p.name !== null);
}

/** Resident memory of `root` and every process under it: RSS (shared pages in each) and PSS. */
export function memory(root) {
  const rows = processTree(root).flatMap((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (text, key) => Number(new RegExp(`${key}:\\s*(\\d+)`).exec(text)?.[1] ?? 0);
      return [{
        pid,
        name: /Name:\s*(.+)/.exec(status)[1],
        rss_mb: kb(status, 'VmRSS') / 1024,
        pss_mb: kb(rollup, 'Pss') / 1024,
        // PSS split into anonymous memory (heaps, JS, caches) and mapped files (code, libraries).
        pss_anon_mb: round(kb(rollup, 'Pss_Anon') / 1024),
        pss_file_mb: round(kb(rollup, 'Pss_File') / 1024),
        threads: kb(status, 'Threads'),
      }];
    } catch {
      return []; // ended meanwhile
    }
  });
  const sum = (key) => round(rows.reduce((a, r) => a + r[key], 0));
  return { rss_mb: sum('rss_mb'), pss_mb: sum('pss_mb'), processes: rows.map((r) => ({ ...r, rss_mb: round(r.rss_mb), pss_mb: round(r.pss_mb) })) };
}

/**
 * Whether the X server has a window titled `title` (what a person could see on the screen). A
 * window destroyed while xwininfo walks the tree fails the walk (BadWindow, BadDrawable): it is
 * walked again, a few times.
 */
export function xWindowExists(title) {
  for (let attempt = 1; ; attempt++) {
    try {
      const tree = execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return tree.includes(`"${title}"`);
    } catch (err) {
      if (attempt >= 5 || !/Bad (Window|Drawable)/.test(String(err.stderr))) throw err;
    }
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` holds, or fails with `what`. */
export async function waitFor(check, what, timeout = 15000) {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(what);
    await sleep(100);
  }
}

/**
 * What a process's PSS is made of: the mapped files (libraries, the binary) and the anonymous
 * memory, grouped by name (`[anon]` for heaps and other unnamed memory), largest first, in MB.
 */
export function pssByMapping(pid, top = 12) {
  const sizes = new Map();
  let name = '[anon]';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1].trim();
      name = path === '' || path.startsWith('[') ? '[anon]' : path.replace(/^.*\//, '');
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) sizes.set(name, (sizes.get(name) ?? 0) + Number(pss[1]));
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top).map(([file, kb]) => `${file} ${round(kb / 1024)}`);
}
