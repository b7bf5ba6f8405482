// The README's screenshot (docs/screenshot.png), taken by script/screenshot: the demo as a new
// planner sees it on first start — a fresh data folder in demo mode, no test data, the window at
// 1280×820 on today's Day view with the first-run hint — captured from the X server like the E2E
// screenshots. Not a test of behaviour: `run.sh` runs it only when named.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, freshDataDir, launch, screenshot } from './app.mjs';

const TARGET = new URL('../../docs/screenshot.png', import.meta.url).pathname;
let app;

after(async () => {
  await app?.deleteSession();
});

test('the README screenshot: the demo as a new planner first sees it', async () => {
  app = await launch(freshDataDir('readme'));
  await app.setWindowSize(1280, 820);
  await app.waitUntil(async () => (await app.execute(() => window.innerWidth)) <= 1280,
    { timeout: 5000, timeoutMsg: 'the window did not take 1280 px' });
  // A new planner's first view (the Day view on today) with its cards drawn and the hint shown.
  await app.waitUntil(
    async () => (await app.execute(() => document.querySelectorAll('[data-testid="scheduler"] .ec-event[data-appointment-id]').length)) >= 10,
    { timeout: 20000, timeoutMsg: 'the demo day drew fewer than 10 cards' });
  await (await app.$('[data-testid="first-run-hint"]')).waitForDisplayed({ timeout: 10000 });
  await screenshot(app, 'readme-screenshot');
  const taken = join(ARTIFACTS, 'readme-screenshot.png');
  const size = execFileSync('identify', ['-format', '%wx%h', taken], { encoding: 'utf8' }).trim();
  assert.equal(size, '1280x820', `the window's picture is 1280×820: ${size}`);
  copyFileSync(taken, TARGET);
});
