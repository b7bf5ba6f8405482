// The first-run hint: on a fresh demo the window points to the Office 365 tab, naming the
// planner's own resource; it opens that tab, and is gone once an account is connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { click, connectAccount, freshDataDir, launch, screenshot, textOf } from './app.mjs';

const megan = 'megan.bowen@contoso.example';
const HINT = '[data-testid="first-run-hint"]';

test('a fresh demo points to the Office 365 tab until an account is connected', async () => {
  const dataDir = freshDataDir('first-run-hint');
  const app = await launch(dataDir);
  try {
    assert.equal(await textOf(app, '[data-testid="first-run-hint-text"]'),
      "Connect Megan's Microsoft 365 calendar to see Outlook appointments here",
      'the hint names the planner\'s own resource');
    await screenshot(app, 'first-run-hint');
    await click(app, '[data-testid="first-run-hint-open"]');
    await (await app.$('[data-testid="accounts-table"]')).waitForDisplayed(
      { timeout: 10000, timeoutMsg: 'the hint did not open the Office 365 tab' });
    await connectAccount(app, megan);
    await click(app, '[data-testid="close-resource-card"]');
    await app.waitUntil(async () => !(await (await app.$(HINT)).isExisting()),
      { timeout: 10000, timeoutMsg: 'the hint stayed after an account was connected' });
  } finally {
    await app.deleteSession();
  }
});

test('the hint can be dismissed', async () => {
  const app = await launch(freshDataDir('first-run-hint-dismissed'));
  try {
    await (await app.$(HINT)).waitForDisplayed({ timeout: 10000, timeoutMsg: 'no hint on a fresh demo' });
    await click(app, '[data-testid="first-run-hint-dismiss"]');
    await app.waitUntil(async () => !(await (await app.$(HINT)).isExisting()),
      { timeout: 5000, timeoutMsg: 'the dismissed hint is still shown' });
  } finally {
    await app.deleteSession();
  }
});
