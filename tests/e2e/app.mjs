// Harness for end-to-end tests: starts the real Quick3 Planner binary through tauri-driver on a
// data folder of the test's own, and offers a few helpers that act as a person would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

/** A fresh, empty data folder. */
export function freshDataDir(name) {
  return mkdtempSync(join(tmpdir(), `quick3-e2e-${name}-`));
}

/** Runs the quick3 CLI on a data folder (how Support and management act). */
export function quick3(dataDir, ...args) {
  return execFileSync(process.env.QUICK3_CLI_BIN, args, {
    env: { ...process.env, QUICK3_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
}

/** Starts the app on `dataDir` and waits until the window shows the Scheduler. */
export async function launch(dataDir, { demo = true } = {}) {
  const args = ['--data-dir', dataDir];
  if (demo) args.push('--demo');
  const browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.QUICK3_E2E_PORT ?? 4444),
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application: process.env.APP_BIN, args } },
  });
  await browser.setTimeout({ implicit: 0 });
  await (await browser.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 20000 });
  return browser;
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

export async function screenshot(browser, name) {
  await browser.saveScreenshot(join(ARTIFACTS, `${name}.png`));
}

/** Sets an input's value as typing would (native date/time inputs cannot be typed into reliably). */
export async function fill(browser, selector, value) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 10000 });
  await browser.execute((element, v) => {
    element.focus();
    const proto = Object.getPrototypeOf(element);
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    if (setter) setter.call(element, v); else element.value = v;
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
  }, el, value);
}

/** The titles of the appointments rendered in the Scheduler (what a person sees on the cards). */
export async function visibleAppointments(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-event')]
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

/** Today's date in the machine's zone, as YYYY-MM-DD. */
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
