// Harness for end-to-end tests: starts the real Quick3 Planner binary through tauri-driver on a
// data folder of the test's own, and offers a few helpers that act as a person would.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

/**
 * A fresh data folder, marked as a demo folder: tests prepare it with the CLI before the app
 * opens it in demo mode, which takes only demo folders (any other gets a `demo` folder inside).
 */
export function freshDataDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `quick3-e2e-${name}-`));
  writeFileSync(join(dir, '.quick3-demo'), 'an E2E test folder\n');
  return dir;
}

/** Runs the quick3 CLI on a data folder (how Support and management act). */
export function quick3(dataDir, ...args) {
  return execFileSync(process.env.QUICK3_CLI_BIN, args, {
    env: { ...process.env, QUICK3_DATA_DIR: dataDir },
    encoding: 'utf8',
    // Thousands of appointments as JSON are more than the default megabyte.
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The D-Bus name a running Quick3 Planner holds (tauri-plugin-single-instance). */
const INSTANCE_NAME = 'com.quick3.planner.SingleInstance';

/** The stored appointment with this id, as the CLI lists it (undefined when it is not, e.g. deleted). */
export function storedAppointment(dataDir, id) {
  return JSON.parse(quick3(dataDir, 'appointment', 'list', '--json')).find((a) => a.id === id);
}

/** Resource ids by name, as the CLI lists them. */
export function resourceIdsByName(dataDir) {
  return new Map(JSON.parse(quick3(dataDir, 'resource', 'list', '--json')).map((r) => [r.name, r.id]));
}

export function instanceRunning() {
  const reply = execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus',
    '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner',
    INSTANCE_NAME], { encoding: 'utf8' });
  return reply.includes('true');
}

/** The process id of the app instance holding the single-instance name on this test run's bus. */
export function instancePid() {
  const reply = execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus',
    '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID',
    INSTANCE_NAME], { encoding: 'utf8' });
  return Number(/uint32 (\d+)/.exec(reply)?.[1]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until no app instance is running (a new launch would otherwise hand over and exit). An
 * instance left behind by an earlier test whose session could not be closed (that test has
 * failed already) is ended, so that one failure does not fail every test after it.
 */
export async function noInstanceRunning(timeout = 15000) {
  const until = Date.now() + timeout;
  while (instanceRunning()) {
    if (Date.now() > until) {
      const pid = instancePid();
      console.error(`# the previous Quick3 Planner (pid ${pid}) did not quit: ending it`);
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
      const killed = Date.now() + 5000;
      while (instanceRunning()) {
        if (Date.now() > killed) throw new Error('the previous Quick3 Planner is still running');
        await sleep(100);
      }
      return;
    }
    await sleep(100);
  }
}

/**
 * A launcher that starts the app binary with extra environment variables (WebDriver starts the
 * application it is given with the driver's own environment).
 */
function launcherWith(env) {
  const dir = mkdtempSync(join(tmpdir(), 'quick3-e2e-launcher-'));
  const file = join(dir, 'quick3-planner');
  const quote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${quote(value)}`);
  writeFileSync(file, ['#!/bin/sh', ...exports, `exec ${quote(process.env.APP_BIN)} "$@"`, ''].join('\n'),
    { mode: 0o755 });
  return file;
}

/**
 * Starts the app on `dataDir` and waits until the window shows the Scheduler. `env` adds
 * environment variables to the app's own (another PATH, another D-Bus session).
 */
export async function launch(dataDir, { demo = true, env = null } = {}) {
  await noInstanceRunning();
  // Specs read dates and times as en-GB writes them on a 24-hour clock: a fresh data folder gets
  // that format (management's `quick3 admin date-format`), whatever this machine's locale (the
  // webview takes C.UTF-8 for en-US). scheduler-locale chooses others in the window.
  if (!launched.has(dataDir)) quick3(dataDir, 'admin', 'date-format', '--locale', 'en-GB', '--clock', '24');
  const args = ['--data-dir', dataDir];
  if (demo) args.push('--demo');
  const application = env ? launcherWith(env) : process.env.APP_BIN;
  const browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.QUICK3_E2E_PORT ?? 4444),
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application, args } },
  });
  await browser.setTimeout({ implicit: 0 });
  await (await browser.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 20000 });
  launched.add(dataDir);
  return browser;
}

/** Data folders launched already in this spec file (the first launch sets the date format). */
const launched = new Set();

/**
 * Waits until the app's store of view preferences (tauri-plugin-store's view-prefs.json in the
 * data folder, written 100 ms after a change) holds `value` under `key` (or a value the function
 * `value` accepts): ending the window sooner (WebDriver kills its process) may leave the last
 * change unwritten, as a crash would.
 */
export async function viewPrefSaved(dataDir, key, value, timeout = 10000) {
  let held = null;
  const until = Date.now() + timeout;
  for (;;) {
    const file = readdirSync(dataDir, { recursive: true }).find((f) => String(f).endsWith('view-prefs.json'));
    try {
      held = file ? JSON.parse(readFileSync(join(dataDir, String(file)), 'utf8'))[key] ?? null : null;
    } catch {
      held = null; // being written
    }
    if (typeof value === 'function' ? value(held) : held === value) return;
    if (Date.now() > until) throw new Error(`view-prefs.json holds ${JSON.stringify(held)} for ${key}, not ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/** Text a person sees in an element. */
export async function textOf(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 10000 });
  return el.getText();
}

export async function click(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 10000 });
  await el.click();
}

/** Waits until the visible text of `selector` includes `wanted`. */
export async function waitForText(browser, selector, wanted, timeout = 10000) {
  let last = '';
  try {
    await browser.waitUntil(async () => {
      last = await (await browser.$(selector)).getText();
      return last.includes(wanted);
    }, { timeout, interval: 200 });
  } catch {
    throw new Error(`"${wanted}" did not appear in ${selector}; it shows:\n${last}`);
  }
}

/** The app window's title (tauri.conf.json), by which the X server finds it. */
const WINDOW_TITLE = 'Quick3 Planner';

/**
 * Saves a picture of the app window as the X server shows it (ImageMagick's `import`, which
 * script/bootstrap installs), after the page has drawn what the last action changed. Not
 * WebKitWebDriver's screenshot: when the window draws without compositing (the app's choice on a
 * machine without a GPU, such as Xvfb here; src-tauri/rendering.rs) that one never returns for a
 * page that is not repainting, and the session answers nothing after it.
 */
export async function screenshot(browser, name) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await sleep(50);
  execFileSync('import', ['-window', WINDOW_TITLE, join(ARTIFACTS, `${name}.png`)], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Sets an input's value as typing would (native date/time inputs cannot be typed into reliably). */
export async function fill(browser, selector, value) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 10000 });
  // The app's own date field (DatePicker) is filled as a person does: through its month grid.
  if ((await el.getAttribute('aria-haspopup')) === 'dialog' && (await el.getAttribute('data-value')) !== null) {
    return pickDate(browser, selector, value);
  }
  await browser.execute((element, v) => {
    element.focus();
    const proto = Object.getPrototypeOf(element);
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    if (setter) setter.call(element, v); else element.value = v;
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
  }, el, value);
}

/**
 * Picks `date` (YYYY-MM-DD) in a DatePicker: opens its grid, goes month by month with its
 * Previous/Next month buttons until the day shows, and clicks it.
 */
export async function pickDate(browser, selector, date) {
  const field = await browser.$(selector);
  const testid = await field.getAttribute('data-testid');
  if ((await field.getAttribute('aria-expanded')) !== 'true') await field.click();
  const grid = `[data-testid="${testid}-picker"]`;
  await (await browser.$(grid)).waitForDisplayed({ timeout: 5000 });
  for (let step = 0; step < 600; step++) {
    const cell = await browser.$(`${grid} td[data-date="${date}"]`);
    if (await cell.isExisting()) {
      await cell.click();
      // Picked: the grid closes (what the field then shows is the view's first day, its caller's).
      await browser.waitUntil(async () => (await field.getAttribute('aria-expanded')) === 'false',
        { timeout: 5000, timeoutMsg: `picking ${date} did not close the grid` });
      return;
    }
    const first = await (await browser.$(`${grid} td[data-date]`)).getAttribute('data-date');
    await click(browser, `[data-testid="${testid}-${date < first ? 'prev' : 'next'}-month"]`);
  }
  throw new Error(`${date} is not within 50 years of the picker's month`);
}

/** The titles of the appointments rendered in the Scheduler (what a person sees on the cards). */
export async function visibleAppointments(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] :is(.ec-event, .q3-tl-card)')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => el.textContent ?? ''));
}

/** Waits until an appointment whose card shows `title` is rendered. */
export async function waitForAppointment(browser, title, timeout = 10000) {
  let seen = [];
  try {
    await browser.waitUntil(async () => {
      seen = await visibleAppointments(browser);
      return seen.some((text) => text.includes(title));
    }, { timeout, interval: 200 });
  } catch {
    throw new Error(`no appointment "${title}" is shown; the Scheduler shows: ${JSON.stringify(seen)}`);
  }
}

/**
 * What a person sees of the first drawn card titled `title` in the Scheduler, in any view
 * (EventCalendar's day, week and month, or the resource timeline); null when none is drawn:
 * - `id`, `time` (its time line), `origin` (its badge), `lock`, `flag` (double booked), `upload`
 *   (its pending/failed mark), `series` / `exception` (an occurrence's mark, struck through when
 *   changed on its own), `tooltip`, `label`;
 * - where it stands: `row` (the timeline's resource row) or `column` (the resource or day column
 *   of a time grid);
 * - `box` (on screen: left, top, width, height, centre x, bottom) and `resizer` (the centre of the
 *   handle that stretches it, null when it has none).
 */
export async function shownCard(browser, title) {
  return browser.execute((wanted) => {
    const root = document.querySelector('[data-testid="scheduler"]');
    const el = [...root.querySelectorAll('.ec-event, .q3-tl-card')]
      .filter((e) => e.getClientRects().length > 0)
      .find((e) => e.querySelector('[data-testid="card-title"]')?.textContent === wanted);
    if (!el) return null;
    const box = el.getBoundingClientRect();
    const centre = box.left + box.width / 2;
    let row = null;
    let column = null;
    const timelineRow = el.closest('[data-testid="timeline-row"]');
    if (timelineRow) row = timelineRow.querySelector('[data-testid="timeline-resource"]').textContent;
    else {
      const days = [...root.querySelectorAll('.ec-body .ec-grid .ec-day')];
      const heads = [...root.querySelectorAll('.ec-header .ec-col-head')].map((h) => h.textContent.trim());
      const index = days.findIndex((d) => {
        const r = d.getBoundingClientRect();
        return centre >= r.left && centre < r.right;
      });
      column = heads[index] ?? null;
    }
    const resizer = el.querySelector('.tl-resizer, .ec-resizer:not(.ec-start)')?.getBoundingClientRect();
    return {
      id: el.dataset.appointmentId,
      time: el.querySelector('.q3-card-time')?.textContent ?? '',
      row,
      column,
      box: {
        left: Math.round(box.left), top: Math.round(box.top), width: Math.round(box.width),
        height: Math.round(box.height), x: Math.round(centre), bottom: Math.round(box.bottom),
      },
      resizer: resizer ? { x: Math.round(resizer.left + resizer.width / 2), y: Math.round(resizer.top + resizer.height / 2) } : null,
      origin: el.querySelector('[data-testid="card-origin"]')?.textContent ?? null,
      lock: !!el.querySelector('[data-testid="card-lock"]'),
      flag: !!el.querySelector('[data-testid="card-double-booked"]'),
      series: !!el.querySelector('[data-testid="card-series"]'),
      exception: !!el.querySelector('[data-testid="card-exception"]'),
      upload: el.dataset.upload ?? null,
      tooltip: el.getAttribute('title'),
      label: el.getAttribute('aria-label'),
    };
  }, title);
}

/** Waits until the card titled `title` is drawn and `check(card)` holds; returns the card. */
export async function waitForCard(browser, title, check, what, timeout = 10000) {
  let last = null;
  try {
    await browser.waitUntil(async () => {
      last = await shownCard(browser, title);
      return last !== null && check(last);
    }, { timeout, interval: 200 });
  } catch {
    throw new Error(`the card "${title}" never showed ${what}; it shows ${JSON.stringify(last)}`);
  }
  return last;
}

/** Today's date in the machine's zone, as YYYY-MM-DD. */
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Opens My Resource → Office 365 and waits for the accounts table. */
export async function openOffice365Tab(browser) {
  await click(browser, '[data-testid="user-menu"]');
  await click(browser, '[data-testid="menu-my-resource"]');
  await click(browser, '[data-testid="tab-office365"]');
  await (await browser.$('[data-testid="accounts-table"]')).waitForDisplayed({ timeout: 10000 });
}

/** The row of the account with this e-mail in the Office 365 tab. */
export const accountRow = (email) => `[data-testid="account-row"][data-email="${email}"]`;

const BROWSER_LOG = process.env.QUICK3_E2E_BROWSER_LOG;

/** URLs the app has opened in the system browser so far (see fake-browser/xdg-open). */
export function browserUrls() {
  return readFileSync(BROWSER_LOG, 'utf8').split('\n').filter(Boolean);
}

/** Waits for the app to open a URL in the system browser beyond the first `seen` ones. */
export async function nextBrowserUrl(seen, timeout = 10000) {
  const until = Date.now() + timeout;
  for (;;) {
    const urls = browserUrls();
    if (urls.length > seen) return urls[seen];
    if (Date.now() > until) throw new Error('the app opened nothing in the system browser');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const decode = (text) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/**
 * Completes the emulator's sign-in pages in "the browser" with form posts, as a person would:
 * e-mail and password, then accept the permissions (or, on "Need admin approval", return to the
 * app). Returns the Location that leaves the emulator: the `quickplanner://` answer.
 */
export async function completeSignIn(url, login, password = 'Demo-pass-1') {
  const cookies = new Map();
  const go = async (target, form) => {
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  // Where the sign-in answer goes: the app's quickplanner:// scheme or its loopback listener.
  const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
  let current = url;
  let response = await go(url);
  const pages = [];
  for (let step = 0; step < 8; step++) {
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location'), current).href;
      if (!next.startsWith('http') || (redirectUri && next.startsWith(redirectUri))) return next;
      current = next;
      response = await go(next);
      continue;
    }
    const page = await response.text();
    const kind = /<meta name="emulator-page" content="([^"]+)"/.exec(page)?.[1] ?? '';
    pages.push(kind);
    const action = /<form[^>]*action="([^"]*)"/.exec(page)?.[1];
    if (!action) throw new Error(`the sign-in stopped on a "${kind}" page:\n${page.replace(/<[^>]+>/g, ' ')}`);
    const form = {};
    for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
      form[decode(name)] = decode(value);
    }
    if (kind === 'sign-in') Object.assign(form, { login, passwd: password });
    else if (kind === 'consent') form.decision = 'accept';
    else if (kind === 'admin-approval') form.decision = 'decline';
    current = new URL(decode(action), current).href;
    response = await go(current, form);
  }
  throw new Error(`the sign-in did not leave the emulator; pages: ${pages.join(', ')}`);
}

/**
 * Hands a `quickplanner://` URL to the app as the OS does: it starts the app binary with the URL
 * as its only argument; that second instance passes it to the running one and exits.
 */
export function openDeepLink(url) {
  return new Promise((resolve, reject) => {
    execFile(process.env.APP_BIN, [url], { timeout: 20000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the second launch failed: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** Every secret Quick3 Planner keeps in the Secret Service (refresh tokens), read with secret-tool. */
export function keyringSecrets() {
  let out = '';
  try {
    out = execFileSync('secret-tool', ['search', '--all', '--unlock', 'application', 'rust-keyring'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return [];
  }
  return [...out.matchAll(/^secret = (.+)$/gm)].map((m) => m[1]).filter(Boolean);
}

/** Opens the menu of an account's row and chooses an item. */
export async function chooseFromAccountMenu(browser, email, item) {
  await click(browser, `${accountRow(email)} [data-testid="account-menu"]`);
  await click(browser, `[data-testid="${item}"]`);
}

/** Types an e-mail into the + dialog of the Office 365 tab, picks a direction (or keeps the default), clicks OK; returns the sign-in URL. */
export async function addAccount(app, email, direction) {
  const seen = browserUrls().length;
  await click(app, '[data-testid="add-account"]');
  await textOf(app, '[data-testid="account-dialog"]');
  await fill(app, '[data-testid="account-email"]', email);
  if (direction) await fill(app, '[data-testid="account-direction"]', direction);
  await click(app, '[data-testid="account-ok"]');
  await waitForText(app, accountRow(email), 'Waiting for Microsoft sign-in…');
  return nextBrowserUrl(seen);
}

/** Connects a demo mailbox in the open Office 365 tab: +, sign in "in the browser", the answer back as a deep link. */
export async function connectAccount(app, email, direction) {
  await openDeepLink(await completeSignIn(await addAccount(app, email, direction), email));
  await waitForText(app, accountRow(email), 'Connected', 20000);
}
