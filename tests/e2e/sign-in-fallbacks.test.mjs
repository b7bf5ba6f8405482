// Sign-in on desktops that lack a piece: where the quickplanner:// scheme cannot be registered the
// answer comes back to a loopback listener on 127.0.0.1; where no keyring answers, the app says so
// at start-up and + explains instead of opening the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  accountRow, addAccount, browserUrls, click, completeSignIn, fill, freshDataDir, launch,
  openOffice365Tab, screenshot, textOf, waitForText,
} from './app.mjs';

/** A folder whose `xdg-mime` fails, as on a desktop without a MIME database: registering fails. */
function withoutMimeDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'quick3-e2e-no-mime-'));
  writeFileSync(join(dir, 'xdg-mime'), '#!/bin/sh\necho "xdg-mime: no MIME database here" >&2\nexit 3\n',
    { mode: 0o755 });
  return `${dir}:${process.env.PATH}`;
}

/**
 * A session bus of its own with no Secret Service on it and nothing to start one (no service
 * directories): a desktop without a keyring. Returns its address and how to stop it.
 */
async function busWithoutKeyring() {
  const dir = mkdtempSync(join(tmpdir(), 'quick3-e2e-bus-'));
  const config = join(dir, 'session.conf');
  writeFileSync(config, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`);
  const daemon = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const [address] = await new Promise((resolve, reject) => {
    daemon.once('error', reject);
    createInterface({ input: daemon.stdout }).once('line', (line) => resolve([line.trim()]));
  });
  return { address, stop: () => daemon.kill() };
}

test('where quickplanner:// cannot be registered, the answer comes back through 127.0.0.1', async () => {
  const app = await launch(freshDataDir('loopback'), { env: { PATH: withoutMimeDatabase() } });
  const email = 'alex.wilber@contoso.example';
  try {
    await openOffice365Tab(app);
    const url = await addAccount(app, email);
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri'));
    assert.equal(redirect.protocol, 'http:');
    assert.equal(redirect.hostname, '127.0.0.1', 'the listener is on loopback only');
    assert.notEqual(redirect.port, '', 'on a port of the system\'s choosing');

    const answer = await completeSignIn(url, email);
    assert.ok(answer.startsWith(redirect.href), `the emulator sends the browser back to ${redirect.href}`);
    // The browser follows the redirect: the app's listener answers it and closes.
    const page = await fetch(answer);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /You can close this tab/);
    await waitForText(app, accountRow(email), 'Connected');
    await screenshot(app, 'office365-connected-through-loopback');

    await assert.rejects(fetch(answer), 'the listener took one answer and closed');
  } finally {
    await app.deleteSession();
  }
});

test('without a keyring the app says so at start-up, and + explains instead of opening the browser', async () => {
  const bus = await busWithoutKeyring();
  try {
    const app = await launch(freshDataDir('no-keyring'), { env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
    const email = 'megan.bowen@contoso.example';
    try {
      await waitForText(app, '[data-testid="keyring-notice"]', 'Microsoft 365 sign-ins cannot be kept');
      const notice = await textOf(app, '[data-testid="keyring-notice"]');
      assert.match(notice, /system keyring is not available/);
      assert.match(notice, /GNOME Keyring/, 'it says how to fix it');
      await screenshot(app, 'keyring-missing-at-start-up');
      await click(app, '[data-testid="keyring-dismiss"]');
      assert.equal(await (await app.$('[data-testid="keyring-notice"]')).isExisting(), false, 'dismissed');

      await openOffice365Tab(app);
      await waitForText(app, '[data-testid="keyring-notice"]', 'system keyring is not available');
      const opened = browserUrls().length;
      await click(app, '[data-testid="add-account"]');
      await fill(app, '[data-testid="account-email"]', email);
      await click(app, '[data-testid="account-ok"]');
      await waitForText(app, '[data-testid="account-error"]', 'system keyring is not available');
      assert.equal(browserUrls().length, opened, 'no sign-in page was opened');
      assert.equal(await (await app.$(accountRow(email))).isExisting(), false, 'no account was added');
      await (await app.$('[data-testid="account-error"]')).scrollIntoView();
      await screenshot(app, 'keyring-missing-on-add-account');
    } finally {
      await app.deleteSession();
    }
  } finally {
    bus.stop();
  }
});
