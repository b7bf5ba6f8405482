// Connecting Microsoft 365 accounts in the real window, against the M365 emulator the app starts
// in demo mode: + → dialog → OK → the sign-in page opens in the system browser → the test signs
// in there with form posts → the quickplanner:// answer reaches the app as the OS delivers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountRow, addAccount, ARTIFACTS, browserUrls, chooseFromAccountMenu, click, completeSignIn, fill, freshDataDir,
  keyringSecrets, launch, nextBrowserUrl, openDeepLink, openOffice365Tab, quick3, screenshot, textOf, waitForText,
} from './app.mjs';

const statusOf = (app, email) => textOf(app, `${accountRow(email)} [data-testid="account-status"]`);

test('an account connects through the system browser and the quickplanner:// link', async () => {
  const dataDir = freshDataDir('sign-in');
  const app = await launch(dataDir);
  const email = 'megan.bowen@contoso.example';
  const secretsBefore = keyringSecrets();
  try {
    await openOffice365Tab(app);
    const url = await addAccount(app, email);
    assert.ok(await (await app.$(`${accountRow(email)} [data-testid="account-cancel-sign-in"]`)).isDisplayed(),
      'a waiting sign-in can be cancelled');
    await screenshot(app, 'office365-waiting-for-sign-in');

    const authorize = new URL(url);
    assert.equal(authorize.protocol, 'http:', 'the browser gets the plain loopback page (no certificate warning)');
    assert.match(authorize.pathname, /\/organizations\/oauth2\/v2.0\/authorize$/);
    assert.equal(authorize.searchParams.get('redirect_uri'), 'quickplanner://auth/callback');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('scope'), /Calendars\.Read\b/, 'Down asks for Calendars.Read');

    const answer = await completeSignIn(url, email);
    assert.match(answer, /^quickplanner:\/\/auth\/callback\?.*code=/);
    await openDeepLink(answer);

    await waitForText(app, accountRow(email), 'Connected');
    const row = await textOf(app, accountRow(email));
    assert.match(row, /Down/);
    assert.match(row, /★ Main/, 'the first account is the main account');
    assert.equal(await (await app.$(`${accountRow(email)} [data-testid="account-message"]`)).isExisting(), false,
      'a sign-in as the typed mailbox has nothing to warn about');
    await screenshot(app, 'office365-connected');
  } finally {
    await app.deleteSession();
  }
  const refreshTokens = keyringSecrets().filter((secret) => !secretsBefore.includes(secret));
  assert.equal(refreshTokens.length, 1, 'the refresh token went to the OS keyring');
  // Quick3's own files; the demo folder also holds the emulator's state (emulator.db,
  // emulator-ca), which plays Microsoft and of course knows the tokens it issued.
  const files = [
    ...readdirSync(dataDir, { recursive: true })
      .filter((name) => !name.startsWith('emulator'))
      .map((name) => join(dataDir, name)),
    join(ARTIFACTS, 'tauri-driver.log'),
    join(ARTIFACTS, 'browser.log'),
  ];
  for (const file of files) {
    let content;
    try { content = readFileSync(file); } catch { continue; }
    assert.equal(content.includes(refreshTokens[0]), false, `the refresh token is not in ${file}`);
  }

  const again = await launch(dataDir);
  try {
    await openOffice365Tab(again);
    assert.equal(await statusOf(again, email), 'Connected', 'still connected after a restart');
  } finally {
    await again.deleteSession();
  }
});

test('a deep link with a forged state changes nothing; the real answer still connects', async () => {
  const app = await launch(freshDataDir('forged'));
  const email = 'adele.vance@contoso.example';
  try {
    await openOffice365Tab(app);
    const url = await addAccount(app, email, 'up_and_down');
    assert.match(new URL(url).searchParams.get('scope'), /Calendars\.ReadWrite/, 'Up and Down asks to write');
    const answer = await completeSignIn(url, email);
    const forged = new URL(answer);
    forged.searchParams.set('state', 'forged-state');
    await openDeepLink(forged.href);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await statusOf(app, email), 'Waiting for Microsoft sign-in…', 'the forged answer was ignored');
    assert.equal(await (await app.$(`${accountRow(email)} [data-testid="account-message"]`)).isExisting(), false);

    // This time through the desktop's handler for quickplanner://, which the app registered at
    // start (GIO resolves it as GNOME and browsers do).
    const handler = execFileSync('gio', ['mime', 'x-scheme-handler/quickplanner'], { encoding: 'utf8' });
    assert.match(handler, /quick3-planner-handler\.desktop/, 'the app registered quickplanner:// at run time');
    execFileSync('gio', ['open', answer]);
    await waitForText(app, accountRow(email), 'Connected');
    assert.match(await textOf(app, accountRow(email)), /Up and Down/);
  } finally {
    await app.deleteSession();
  }
});

test('Cancel while waiting stops the sign-in; a late answer is ignored; Sign in starts again', async () => {
  const app = await launch(freshDataDir('cancel'));
  const email = 'alex.wilber@contoso.example';
  try {
    await openOffice365Tab(app);
    const url = await addAccount(app, email);
    await click(app, `${accountRow(email)} [data-testid="account-cancel-sign-in"]`);
    await waitForText(app, accountRow(email), 'Sign-in needed');
    assert.match(await textOf(app, `${accountRow(email)} [data-testid="account-message"]`), /The sign-in was cancelled\./);

    await openDeepLink(await completeSignIn(url, email));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await statusOf(app, email), 'Sign-in needed', 'an answer to a cancelled sign-in is not used');
    await screenshot(app, 'office365-cancelled');

    const seen = browserUrls().length;
    await click(app, `${accountRow(email)} [data-testid="account-sign-in"]`);
    await waitForText(app, accountRow(email), 'Waiting for Microsoft sign-in…');
    // This answer goes through the system's own xdg-open (its generic path, which browsers use
    // outside GNOME and KDE), not the recording one on PATH.
    execFileSync('/usr/bin/xdg-open', [await completeSignIn(await nextBrowserUrl(seen), email)]);
    await waitForText(app, accountRow(email), 'Connected');
  } finally {
    await app.deleteSession();
  }
});

test('an organisation that requires admin approval gets the plain message and the link to pass on', async () => {
  const app = await launch(freshDataDir('admin-consent'));
  const email = 'lee.gu@fabrikam.example';
  try {
    await openOffice365Tab(app);
    const url = await addAccount(app, email);
    await openDeepLink(await completeSignIn(url, email));
    await waitForText(app, accountRow(email), 'Your organisation must approve Quick3 Planner before you can connect');
    assert.equal(await statusOf(app, email), 'Error');
    const link = await (await app.$(`${accountRow(email)} [data-testid="account-admin-consent-link"]`)).getValue();
    assert.match(link, /\/v2\.0\/adminconsent\?client_id=/, 'the approval link for the IT administrator');
    await click(app, `${accountRow(email)} [data-testid="account-copy-link"]`);
    await waitForText(app, `${accountRow(email)} [data-testid="account-copy-link"]`, 'Copied');
    await screenshot(app, 'office365-admin-consent');
  } finally {
    await app.deleteSession();
  }
});

test('the + dialog refuses an invalid e-mail and suggests scopes by direction', async () => {
  const app = await launch(freshDataDir('dialog'));
  try {
    await openOffice365Tab(app);
    const seen = browserUrls().length;
    await click(app, '[data-testid="add-account"]');
    const options = await app.execute(() =>
      [...document.querySelectorAll('[data-testid="account-direction"] option')].map((o) => o.textContent));
    assert.deepEqual(options, ['Down', 'Up', 'Up and Down'], 'None is only for existing accounts');

    await fill(app, '[data-testid="account-email"]', 'megan@contoso');
    await click(app, '[data-testid="account-ok"]');
    assert.match(await textOf(app, '[data-testid="account-error"]'), /"megan@contoso" is not a valid e-mail address/);
    assert.ok(await (await app.$('[data-testid="account-dialog"]')).isDisplayed(), 'the dialog stays open');

    await click(app, '[data-testid="account-advanced"] summary');
    const scopes = () => app.$('[data-testid="account-scopes"]').then((el) => el.getValue());
    assert.equal(await scopes(), 'openid profile offline_access User.Read Calendars.Read');
    await fill(app, '[data-testid="account-direction"]', 'up');
    assert.equal(await scopes(), 'openid profile offline_access User.Read Calendars.ReadWrite');
    await fill(app, '[data-testid="account-scopes"]', 'openid offline_access Calendars.Read');
    assert.match(await textOf(app, '[data-testid="account-scope-warning"]'), /needs Calendars\.ReadWrite/);
    await screenshot(app, 'office365-account-dialog');

    await click(app, '[data-testid="account-dialog-cancel"]');
    await textOf(app, '[data-testid="accounts-empty"]');
    assert.equal(browserUrls().length, seen, 'nothing was opened in the browser');
  } finally {
    await app.deleteSession();
  }
});

test('the menu per account: another mailbox signed in, main account, sign in again, edit, remove', async () => {
  const app = await launch(freshDataDir('menu'));
  const megan = 'megan.bowen@contoso.example';
  const typed = 'adele.vance@contoso.example';
  const alex = 'alex.wilber@contoso.example';
  try {
    await openOffice365Tab(app);
    await openDeepLink(await completeSignIn(await addAccount(app, megan), megan));
    await waitForText(app, accountRow(megan), 'Connected');

    // Typed one mailbox, signed in with another: the row follows the mailbox and says so.
    await openDeepLink(await completeSignIn(await addAccount(app, typed), alex));
    await waitForText(app, accountRow(alex), 'Connected');
    assert.match(await textOf(app, `${accountRow(alex)} [data-testid="account-message"]`),
      /You signed in as alex\.wilber@contoso\.example, not adele\.vance@contoso\.example/);
    assert.doesNotMatch(await textOf(app, accountRow(alex)), /Main/, 'the second account is not the main one');

    await chooseFromAccountMenu(app, alex, 'account-set-main');
    await waitForText(app, accountRow(alex), '★ Main');
    assert.doesNotMatch(await textOf(app, accountRow(megan)), /★ Main/, 'only one main account');

    const seen = browserUrls().length;
    await chooseFromAccountMenu(app, megan, 'account-sign-in-again');
    await waitForText(app, accountRow(megan), 'Waiting for Microsoft sign-in…');
    await openDeepLink(await completeSignIn(await nextBrowserUrl(seen), megan));
    await waitForText(app, accountRow(megan), 'Connected');

    await chooseFromAccountMenu(app, megan, 'account-edit');
    const options = await app.execute(() =>
      [...document.querySelectorAll('[data-testid="account-direction"] option')].map((o) => o.textContent));
    assert.deepEqual(options, ['Down', 'Up', 'Up and Down', 'None'], 'None pauses an existing account');
    await fill(app, '[data-testid="account-direction"]', 'none');
    await click(app, '[data-testid="account-ok"]');
    await waitForText(app, accountRow(megan), 'Paused');
    assert.match(await textOf(app, accountRow(megan)), /None/);
    await screenshot(app, 'office365-two-accounts');

    await chooseFromAccountMenu(app, alex, 'account-remove');
    assert.match(await textOf(app, '[data-testid="account-remove-dialog"]'), /Appointments pulled from this account/);
    await click(app, '[data-testid="account-remove-keep"]');
    await app.waitUntil(async () => !(await (await app.$(accountRow(alex))).isExisting()),
      { timeout: 10000, timeoutMsg: 'the removed account is still listed' });
    await waitForText(app, accountRow(megan), '★ Main');
  } finally {
    await app.deleteSession();
  }
});

test('without a registered application (client) id, + says how to set Quick3 Planner up and adds nothing', async () => {
  const dataDir = freshDataDir('no-client-id');
  quick3(dataDir, 'demo', 'seed');
  const app = await launch(dataDir, { demo: false });
  try {
    await openOffice365Tab(app);
    const seen = browserUrls().length;
    await click(app, '[data-testid="add-account"]');
    await fill(app, '[data-testid="account-email"]', 'megan.bowen@contoso.example');
    await click(app, '[data-testid="account-ok"]');
    assert.match(await textOf(app, '[data-testid="account-error"]'),
      /no application \(client\) id is configured\. Register Quick3 Planner in Microsoft Entra/);
    await click(app, '[data-testid="account-dialog-cancel"]');
    await textOf(app, '[data-testid="accounts-empty"]');
    assert.equal(browserUrls().length, seen, 'no sign-in page was opened');
  } finally {
    await app.deleteSession();
  }
});
