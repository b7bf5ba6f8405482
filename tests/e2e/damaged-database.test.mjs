// A damaged database: the real app binary, started on a data folder whose database had pages
// overwritten (a failing disk), shows one plain dialog naming the file and the way back, with no
// Scheduler window behind it; pressing Close ends the app with a failure status, and the damaged
// file is left as it was. The dialog is GTK's, not a web page (WebDriver cannot see it), so the
// test reads and presses it through the accessibility bus, as a screen reader would (dialog.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS, noInstanceRunning, quick3 } from './app.mjs';

const DIALOG = new URL('./dialog.py', import.meta.url).pathname;
const run = promisify(execFile);

/** Runs `dialog.py COMMAND PID ARGS…` on the app's process; its JSON answer. */
async function dialog(command, pid, ...args) {
  const { stdout } = await run('/usr/bin/python3', [DIALOG, command, String(pid), ...args], { timeout: 90000 });
  return JSON.parse(stdout);
}

/** Every file in `dir` and its folders with its size: what a start could have added or replaced. */
function listing(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const name = join(prefix, entry.name);
    return entry.isDirectory() ? listing(dir, name) : [`${name} ${statSync(join(dir, name)).size}`];
  }).sort();
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('a damaged database is named in a plain dialog; Close ends the app and the file is left as it was', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quick3-e2e-damaged-'));
  quick3(dataDir, 'admin', 'allow-edit');
  quick3(dataDir, 'resource', 'add', '--name', 'Ada Lovelace');
  const database = join(dataDir, 'quick3.db');
  // A failing disk overwrites the pages after the first (as the CLI's test of the same fault).
  const fd = openSync(database, 'r+');
  writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, 4096);
  fsyncSync(fd);
  closeSync(fd);
  const damaged = sha256(database);
  const before = listing(dataDir);

  await noInstanceRunning();
  // Started as from a menu: no terminal, only what the screen shows.
  const app = spawn(process.env.APP_BIN, ['--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  app.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => app.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const shown = await dialog('read', app.pid, '60');
    assert.equal(shown.role, 'alert', `an error dialog (GTK's alert), not a page: ${JSON.stringify(shown)}`);
    assert.equal(shown.texts[0], 'Quick3 Planner cannot start', `its heading: ${JSON.stringify(shown.texts)}`);
    const sentence = shown.texts[1] ?? '';
    assert.ok(sentence.startsWith(`The database ${database} is damaged and was not opened`),
      `it names the damaged file: ${sentence}`);
    assert.match(sentence, /nothing was changed/, 'it says the file was left alone');
    assert.match(sentence, /quick3 backup list.*quick3 backup restore DATE.*move the file away/,
      `it says what to do: ${sentence}`);
    assert.equal(shown.texts.length, 2, `only the heading and one sentence: ${JSON.stringify(shown.texts)}`);
    assert.deepEqual(shown.buttons, ['Close'], 'one button, to close it');
    const others = shown.windows.filter((w) => w.role !== 'alert' && w.showing);
    assert.deepEqual(others, [], 'no empty Scheduler window behind the dialog');
    assert.equal(app.exitCode, null, 'the app waits for the planner to read the dialog');
    execFileSync('import', ['-window', 'root', join(ARTIFACTS, 'damaged-database-dialog.png')],
      { stdio: ['ignore', 'ignore', 'pipe'] });

    assert.deepEqual(await dialog('press', app.pid, 'Close'), { pressed: 'Close' });
    const { code, signal } = await Promise.race([exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the app did not end after Close')), 20000))]);
    assert.equal(signal, null, `the app ended by itself, not by a signal: ${stderr}`);
    assert.notEqual(code, 0, 'a start that failed ends with a failure status');
  } finally {
    if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
  }
  assert.match(stderr, /Quick3 Planner cannot start: The database .* is damaged/, 'the same sentence on stderr');
  assert.equal(sha256(database), damaged, 'the damaged database keeps its bytes: nothing was written to it');
  assert.deepEqual(listing(dataDir), before, 'no file of the data folder was added, replaced or resized');
});
