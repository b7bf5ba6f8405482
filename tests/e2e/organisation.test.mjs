// Organisation mode in the real window, against the demo emulator: Settings → Client settings →
// Office 365 (administrators; Ctrl+S, the secret to the OS keyring and never to the data folder,
// the 30-day expiry warning, the unsaved-changes question), hamburger → Test settings (a wrong
// secret in plain words, then a token, a user and a calendar), and a resource linked to Megan's
// mailbox by e-mail — shown by name as an organisation link — that Sync Calendar then fills; then
// the administrator switches to a certificate (a PEM file with its key, imported by path: subject,
// thumbprint and expiry shown, the key to the keyring and not the data folder) and Test settings
// passes with it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accountRow, chooseFromAccountMenu, click, fill, freshDataDir, keyringSecrets, launch, openOffice365Tab, screenshot,
  textOf, waitForText,
} from './app.mjs';

// The demo tenant and its confidential app (crates/m365-emulator/README.md).
const TENANT = '8c3f0e5a-2d41-4b7e-9a6c-1f2e3d4c5b6a';
const CLIENT_ID = '7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7';
const SECRET = 'q3Org~Demo-Secret-Do-Not-Use-In-Production';
const WRONG_SECRET = 'q3Org~not-the-secret-e2e';
const megan = 'megan.bowen@contoso.example';

let app;
let dataDir;

after(async () => {
  await app?.deleteSession();
});

/** YYYY-MM-DD, `days` from today (the machine's zone, as the app reads it). */
function inDays(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Every byte the data folder holds, as text (to prove a secret never lands there). `except`: a
 * folder name to leave out. */
function dataFolderText(dir, except = null) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !(except && (e.parentPath ?? e.path).split('/').includes(except)))
    .map((e) => readFileSync(join(e.parentPath ?? e.path, e.name)).toString('latin1'))
    .join('\n');
}

async function testSettings() {
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-test-settings"]');
  const verdict = await app.$('[data-testid="test-settings-verdict"]');
  await verdict.waitForDisplayed({ timeout: 30000 });
  return {
    code: await verdict.getAttribute('data-code'),
    text: await textOf(app, '[data-testid="test-settings-dialog"]'),
  };
}

test('an administrator enters the Client settings with Ctrl+S; the secret goes to the keyring and its expiry is warned about', async () => {
  dataDir = freshDataDir('org');
  app = await launch(dataDir);
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-settings"]');
  await click(app, '[data-testid="settings-office365"]');
  assert.match(await textOf(app, '[data-testid="org-secret-state"]'), /No client secret is stored/);

  await fill(app, '[data-testid="org-tenant"]', TENANT);
  await fill(app, '[data-testid="org-client-id"]', CLIENT_ID);
  await fill(app, '[data-testid="org-secret"]', WRONG_SECRET);
  await fill(app, '[data-testid="org-expires"]', inDays(10));
  await click(app, '[data-testid="org-direction-up"]');
  assert.match(await textOf(app, '[data-testid="org-unsaved"]'), /Unsaved changes/);

  // Leaving with unsaved changes asks first; Stay keeps what was typed.
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-scheduler"]');
  assert.match(await textOf(app, '[data-testid="unsaved-dialog"]'), /Leave without saving\?/);
  await click(app, '[data-testid="unsaved-stay"]');
  assert.equal(await (await app.$('[data-testid="org-tenant"]')).getValue(), TENANT);

  await app.keys(['Control', 's']);
  await waitForText(app, '[data-testid="org-message"]', 'Office 365 client settings saved', 20000);
  assert.match(await textOf(app, '[data-testid="org-secret-state"]'), /stored in the system keyring/);
  assert.equal(await (await app.$('[data-testid="org-secret"]')).getValue(), '', 'the secret is not shown again');
  assert.match(await textOf(app, '[data-testid="org-expiry-warning"]'), new RegExp(`expires on ${inDays(10)} \\(in 10 days\\)`));
  assert.equal(await (await app.$('[data-testid="org-direction-up"]')).isSelected(), false, 'Up is not allowed');
  assert.equal(await (await app.$('[data-testid="org-unsaved"]')).isExisting(), false);
  assert.ok(keyringSecrets().includes(WRONG_SECRET), 'the secret is in the OS keyring');
  assert.ok(!dataFolderText(dataDir).includes(WRONG_SECRET), 'and nowhere in the data folder');
  await screenshot(app, 'org-client-settings');
});

test('Test settings names a wrong secret in plain words, and with the right one reads a user and a calendar', async () => {
  const wrong = await testSettings();
  assert.equal(wrong.code, 'OrgWrongSecret');
  assert.match(wrong.text, /Microsoft refused the client secret \(AADSTS7000215\): it is wrong/);
  assert.match(wrong.text, /Token: not issued/);
  assert.match(wrong.text, /expires on .* \(in 10 days\)/, 'the expiry warning is repeated');
  await screenshot(app, 'org-test-settings-wrong-secret');
  await click(app, '[data-testid="test-settings-close"]');

  await fill(app, '[data-testid="org-secret"]', SECRET);
  await app.keys(['Control', 's']);
  await waitForText(app, '[data-testid="org-message"]', 'Office 365 client settings saved', 20000);
  const right = await testSettings();
  assert.equal(right.code, 'ok', right.text);
  assert.match(right.text, /Token: issued by Microsoft/);
  assert.match(right.text, /User: .+ <.+@contoso\.example>/);
  assert.match(right.text, /Calendar: \w+/);
  assert.match(right.text, /The organisation's settings work/);
  await screenshot(app, 'org-test-settings-ok');
  await click(app, '[data-testid="test-settings-close"]');
});

test('a resource is linked to Megan\'s mailbox by e-mail, shown as an organisation link, and Sync Calendar fills it', async () => {
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-scheduler"]');
  await openOffice365Tab(app);
  await click(app, '[data-testid="link-mailbox"]');
  await fill(app, '[data-testid="org-link-reference"]', 'nobody@contoso.example');
  await click(app, '[data-testid="org-link-find"]');
  await waitForText(app, '[data-testid="org-link-error"]', 'has no user nobody@contoso.example', 20000);

  await fill(app, '[data-testid="org-link-reference"]', megan);
  await click(app, '[data-testid="org-link-find"]');
  await waitForText(app, '[data-testid="org-link-user"]', 'Megan Bowen', 20000);
  const directions = await app.$$('[data-testid="org-link-direction"] option').map((o) => o.getValue());
  assert.deepEqual(directions, ['down', 'up_and_down'], 'only the directions the organisation allows');
  assert.equal(await (await app.$('[data-testid="org-link-calendar"][data-name="Calendar"]')).isSelected(), true,
    'the default calendar is chosen');
  await screenshot(app, 'org-link-dialog');
  await click(app, '[data-testid="org-link-ok"]');

  const row = `${accountRow(megan)}[data-connection="organisation"]`;
  await waitForText(app, row, 'Connected', 20000);
  const text = await textOf(app, row);
  assert.match(text, /Organisation link/);
  assert.match(text, /Megan Bowen · 48d31887-5fad-4d73-a9f5-3c356e68a038/, 'the user is shown by name and Object ID');

  await click(app, `${accountRow(megan)} [data-testid="account-menu"]`);
  assert.equal(await (await app.$('[data-testid="account-sign-in-again"]')).isExisting(), false, 'no sign-in for a link');
  await click(app, '[data-testid="account-sync-calendar"]');
  await waitForText(app, '[data-testid="sync-summary"]', 'Sync finished', 60000);
  const summary = await textOf(app, '[data-testid="sync-summary"]');
  const added = Number(/megan\.bowen@contoso\.example: (\d+) added/.exec(summary)?.[1]);
  assert.ok(added > 5, `the linked mailbox's appointments were pulled: ${summary}`);
  assert.match(summary, /no errors/);
  await screenshot(app, 'org-linked-and-synced');
});

test('the administrator switches to a certificate file, sees it by thumbprint and expiry, and Test settings passes', async () => {
  // The demo organisation app's certificate with its private key, as an administrator exported it.
  const fixture = fileURLToPath(new URL('../../crates/m365-emulator/fixtures/org-demo-certificate.pem', import.meta.url));
  const file = join(mkdtempSync(join(tmpdir(), 'quick3-org-cert-')), 'quick3-organisation.pem');
  copyFileSync(fixture, file);
  // A line from the end of the key (its private primes; the first lines hold the public modulus).
  const keyLines = readFileSync(file, 'utf8').split('-----BEGIN PRIVATE KEY-----')[1].split('\n');
  const keyLine = keyLines[keyLines.length - 4];

  await click(app, '[data-testid="close-resource-card"]');
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-settings"]');
  await click(app, '[data-testid="settings-office365"]');
  await click(app, '[data-testid="org-credential-certificate"]');
  assert.equal(await (await app.$('[data-testid="org-secret"]')).isExisting(), false, 'no secret field now');
  await app.keys(['Control', 's']);
  await waitForText(app, '[data-testid="org-message"]', 'Certificate file: enter the path', 10000);

  await fill(app, '[data-testid="org-certificate-file"]', file);
  await app.keys(['Control', 's']);
  await waitForText(app, '[data-testid="org-message"]', 'Office 365 client settings saved', 20000);
  assert.equal(await textOf(app, '[data-testid="org-certificate-thumbprint"]'), '2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9');
  assert.match(await textOf(app, '[data-testid="org-certificate-subject"]'), /Quick3 Planner organisation \(demo\)/);
  assert.equal(await textOf(app, '[data-testid="org-certificate-valid-until"]'), '2045-12-31');
  assert.equal(await (await app.$('[data-testid="org-expiry-warning"]')).isExisting(), false, 'no warning until 2045');
  assert.ok(keyringSecrets().some((s) => s.includes('BEGIN CERTIFICATE')), 'the certificate and key are in the keyring');
  assert.ok(!keyringSecrets().includes(SECRET), 'the client secret left the keyring');
  // (The demo's emulator, playing Microsoft, keeps its demo certificate with the key in its own
  // emulator-ca folder; Quick3's files must not hold it.)
  assert.ok(!dataFolderText(dataDir, 'emulator-ca').includes(keyLine), 'no part of the private key in the data folder');
  await screenshot(app, 'org-client-settings-certificate');

  const tested = await testSettings();
  assert.equal(tested.code, 'ok', tested.text);
  assert.match(tested.text, /Token: issued by Microsoft/);
  assert.match(tested.text, /The organisation's settings work/);
  await click(app, '[data-testid="test-settings-close"]');
});
