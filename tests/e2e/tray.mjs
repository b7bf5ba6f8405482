// The tray on the desktop for the tests: tray-host.py plays the panel (a StatusNotifier watcher
// and host on the session bus) whose menu the tests read and click through com.canonical.dbusmenu,
// and the window manager's close button (close-window.py).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The tray menu's items, as a person reads them. */
export const MENU = ['No scheduled run yet', 'Open Quick3 Planner', 'Sync now', 'Pause background sync', 'Quit'];

/** Starts the panel; resolves once it owns org.kde.StatusNotifierWatcher. */
export async function startTrayHost() {
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
    /** The icon the panel draws: `{ name, sizes: [[w, h]…], grey }` (see tray-host.py). */
    icon: () => ask({ icon: true }, 'icon'),
    click: (label) => ask({ click: label }, 'clicked'),
    stop: () => child.kill(),
  };
}

/** Clicks the window's close button, as far as the app can tell (see close-window.py). */
export function closeWindow(title) {
  execFileSync('/usr/bin/python3', [new URL('./close-window.py', import.meta.url).pathname, title]);
}

export const labelsOf = (menu) => menu.filter((i) => i.visible).map((i) => i.label.replaceAll('_', ''));


/**
 * Clicks the window's close button until `done()` holds (at most 4 times, 5 s apart), or fails
 * with `what`. Under WebDriver the app sometimes never receives the first WM_DELETE_WINDOW as a
 * close request (2 of 8 runs of tray-window.test.mjs; 0 of 8 plain launches of the app): a
 * person clicks again when nothing happened, and so does the test.
 */
export async function closeWindowUntil(done, what, title = 'Quick3 Planner') {
  for (let attempt = 0; attempt < 4; attempt++) {
    closeWindow(title);
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(what);
}

/** The process behind a bus name on the session bus (the tray item's `service`). */
export function pidOfBusName(name) {
  const reply = execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus',
    '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID',
    name], { encoding: 'utf8' });
  return Number(/uint32 (\d+)/.exec(reply)?.[1]);
}
