// A sign-in answer after its window closed (issue #20): the planner starts a sign-in, closes the
// window (with a tray, its process ends) and only then finishes the sign-in in the browser. The
// quickplanner:// answer goes through the desktop's handler, which the window registered for its
// data folder: it starts a new window process on the folder, which finishes the sign-in from what
// the keyring kept (the PKCE verifier never touches a file) and shows the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  accountRow, addAccount, completeSignIn, freshDataDir, instancePid, instanceRunning, keyringSecrets, launch,
  openOffice365Tab, quick3, textOf,
} from './app.mjs';
import { alive, waitFor, xWindowExists } from './processes.mjs';
import { closeWindowUntil, pidOfBusName, startTrayHost } from './tray.mjs';

const TITLE = 'Quick3 Planner';
const statusIn = (dataDir, email) =>
  JSON.parse(quick3(dataDir, 'account', 'list', '--json')).find((a) => a.email === email)?.status;

test('a quickplanner:// answer after the window closed opens the window and connects the account', async () => {
  const tray = await startTrayHost();
  const dataDir = freshDataDir('tray-sign-in');
  const email = 'megan.bowen@contoso.example';
  const secretsBefore = keyringSecrets();
  let app = await launch(dataDir);
  let trayPid = null;
  let quit = false;
  try {
    trayPid = pidOfBusName((await tray.item()).service);
    await openOffice365Tab(app);
    const url = await addAccount(app, email);
    assert.equal(new URL(url).searchParams.get('redirect_uri'), 'quickplanner://auth/callback',
      'the answer is to come back through the desktop, not to this process\'s loopback listener');

    // The planner closes the window before finishing in the browser: the window process ends.
    const first = instancePid();
    await closeWindowUntil(() => !instanceRunning(), 'the window process did not end with its window');
    assert.ok(!alive(first), 'the window process that started the sign-in is gone');
    assert.ok(alive(trayPid), 'the tray process keeps the app');
    await app.deleteSession().catch(() => {}); // its process ended with the window
    assert.equal(statusIn(dataDir, email), 'waiting_for_sign_in');
    const newSecrets = () => keyringSecrets().filter((secret) => !secretsBefore.includes(secret));
    assert.equal(newSecrets().length, 1, 'the waiting sign-in outlived its process in the keyring');
    const waiting = newSecrets()[0];

    // …then signs in; the browser hands the answer to the desktop's quickplanner:// handler.
    const answer = await completeSignIn(url, email);
    // No pipes: the window process GIO starts would hold them open until it ends.
    execFileSync('gio', ['open', answer], { stdio: 'ignore' });
    await waitFor(() => instanceRunning() && xWindowExists(TITLE),
      'the answer did not open the window again', 30000);
    assert.notEqual(instancePid(), first, 'a new window process');
    await waitFor(() => statusIn(dataDir, email) === 'connected',
      `the answer did not finish the sign-in: ${statusIn(dataDir, email)}`, 30000);
    // The refresh token is kept just after the account is marked connected.
    await waitFor(() => newSecrets().some((secret) => secret !== waiting),
      'no refresh token in the keyring', 10000);
    assert.deepEqual(newSecrets().filter((secret) => secret === waiting), [],
      'the waiting sign-in (its PKCE verifier) was used up: gone from the keyring');
    assert.equal(newSecrets().length, 1, 'the keyring keeps the refresh token alone');

    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning() && !alive(trayPid), 'Quit did not end the window and tray processes');

    // WebDriver drives only a window process it starts: the account as the window shows it.
    app = await launch(dataDir);
    quit = false;
    trayPid = pidOfBusName((await tray.item()).service);
    await openOffice365Tab(app);
    assert.equal(await textOf(app, `${accountRow(email)} [data-testid="account-status"]`), 'Connected',
      'the window shows the account signed in');
    await tray.click('Quit');
    quit = true;
    await waitFor(() => !instanceRunning() && !alive(trayPid), 'Quit did not end the window and tray processes');
  } finally {
    try {
      await app.deleteSession();
    } catch (err) {
      if (!quit) throw err;
    } finally {
      if (trayPid && alive(trayPid)) process.kill(trayPid);
      tray.stop();
    }
  }
});
