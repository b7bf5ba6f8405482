// Dates and times in one format, in the real window at 1280×820: under en-GB and nb-NO, each with
// the 24-hour and the 12-hour clock chosen in Settings → Date and time, the date field and the
// Day view's title write the same date the same way (read from the DOM), a Week card's start time
// follows the clock, the appointment dialog's date and times too, and the date picker's grid shows
// ISO week numbers and answers the keyboard.
// Screenshots go to tests/e2e/artifacts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { click, fill, freshDataDir, launch, screenshot, textOf, today, waitForText } from './app.mjs';

let app;

after(async () => {
  await app?.deleteSession();
});

/** ISO 8601 week of a date (YYYY-MM-DD), as Outlook numbers weeks. */
function isoWeek(text) {
  const d = new Date(`${text}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() + 3 - weekday);
  return Math.floor((d - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000 / 7) + 1;
}

/** Settings → Date and time: the language and clock chosen, saved, and back to the Scheduler. */
async function choose(locale, clock) {
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-settings"]');
  await click(app, '[data-testid="settings-datetime"]');
  const sample = await textOf(app, '[data-testid="datetime-sample"]');
  await fill(app, '[data-testid="datetime-locale"]', locale);
  await fill(app, '[data-testid="datetime-clock"]', clock);
  await app.waitUntil(async () => (await textOf(app, '[data-testid="datetime-sample"]')) !== sample || locale === 'en-GB',
    { timeout: 5000, timeoutMsg: 'the example did not follow the choice' });
  await screenshot(app, `settings-datetime-${locale}-${clock}`);
  await click(app, '[data-testid="home-menu"]');
  await click(app, '[data-testid="menu-scheduler"]');
  await (await app.$('[data-testid="scheduler"]')).waitForDisplayed({ timeout: 10000 });
}

/** The Day view's title and the date field, as a person reads them. */
async function dateShown() {
  return app.execute(() => ({
    title: document.querySelector('[data-testid="sched-title"]').textContent.trim(),
    field: document.querySelector('[data-testid="sched-date-text"]').textContent.trim(),
    value: document.querySelector('[data-testid="sched-date"]').dataset.value,
    lang: navigator.language,
  }));
}

/** Start times of the Week cards drawn, by subject. */
async function weekStarts() {
  return app.execute(() =>
    [...document.querySelectorAll('[data-testid="scheduler"] .ec-event[data-appointment-id]')]
      .filter((el) => el.getClientRects().length > 0 && el.querySelector('[data-testid="card-start"]'))
      .map((el) => ({
        title: el.querySelector('[data-testid="card-title"]').textContent,
        start: el.querySelector('[data-testid="card-start"]').textContent,
      })));
}

const DATES = {
  // "7 Dec 2026"
  'en-GB': /^(\d{1,2}) [A-Z][a-z]{2,3} (\d{4})$/,
  // "7. des. 2026"
  'nb-NO': /^(\d{1,2})\. [a-zæøå]{3,4}\.? (\d{4})$/,
};
const TIMES = {
  h24: /^\d{2}[:.]\d{2}$/,
  h12: /^\d{1,2}[:.]\d{2}\s?(am|pm|a\.m\.|p\.m\.)$/i,
};

for (const locale of ['en-GB', 'nb-NO']) {
  for (const clock of ['h24', 'h12']) {
    test(`${locale}, ${clock === 'h24' ? '24' : '12'}-hour clock: the date field and the title agree, cards follow the clock`, async () => {
      if (!app) {
        app = await launch(freshDataDir('locale'));
        await app.setWindowSize(1280, 820);
      }
      await choose(locale, clock);
      await click(app, '[data-testid="view-resourceTimeGridDay"]');
      await click(app, '[data-testid="sched-today"]');
      const day = today();
      await app.waitUntil(async () => (await dateShown()).value === day, { timeout: 10000, timeoutMsg: 'the Day view did not show today' });
      const shown = await dateShown();
      assert.equal(shown.field, shown.title, `the date field and the title write the date the same way: ${JSON.stringify(shown)}`);
      const parts = shown.title.match(DATES[locale]);
      assert.ok(parts, `the date is written as ${locale} writes it: ${JSON.stringify(shown)}`);
      assert.equal(Number(parts[1]), Number(day.slice(8, 10)), `it is today's day: ${shown.title}`);
      assert.equal(parts[2], day.slice(0, 4), `and year: ${shown.title}`);

      // The picker: its month grid, today's ISO week number, arrows and Page Down move, Escape closes.
      await click(app, '[data-testid="sched-date"]');
      const grid = await app.$('[data-testid="sched-date-picker"]');
      await grid.waitForDisplayed({ timeout: 5000 });
      const week = await app.execute((d) => {
        const cell = document.querySelector(`[data-testid="sched-date-picker"] td[data-date="${d}"]`);
        return { number: cell.closest('tr').querySelector('[data-testid="picker-week"]').textContent, focused: document.activeElement?.dataset.date };
      }, day);
      assert.equal(Number(week.number), isoWeek(day), `today's row shows its ISO week: ${JSON.stringify(week)}`);
      assert.equal(week.focused, day, 'the grid opens with the date shown focused');
      await screenshot(app, `scheduler-locale-${locale}-${clock}-picker`);
      await app.keys(['ArrowRight']);
      await app.keys(['PageDown']);
      const moved = await app.execute(() => document.activeElement?.dataset.date);
      const next = new Date(`${day}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      assert.equal(moved.slice(5, 7), String(((next.getUTCMonth() + 1) % 12) + 1).padStart(2, '0'), `→ then Page Down: a month on (${moved})`);
      await app.keys(['Escape']);
      await app.waitUntil(async () => !(await grid.isExisting()), { timeout: 5000, timeoutMsg: 'Escape did not close the grid' });
      assert.equal((await dateShown()).value, day, 'Escape picks nothing');

      // A Week card's start time follows the clock.
      await click(app, '[data-testid="view-resourceTimeGridWeek"]');
      await app.waitUntil(async () => (await weekStarts()).length > 0, { timeout: 20000, timeoutMsg: 'the Week view drew no cards' });
      const starts = await weekStarts();
      for (const card of starts) assert.match(card.start, TIMES[clock], `a card's start follows the ${clock} clock: ${JSON.stringify(card)}`);
      const planning = starts.find((c) => c.title === 'Weekly planning');
      if (planning) assert.match(planning.start, /^0?9[:.]00/, `the demo's Weekly planning starts at nine: ${planning.start}`);
      await waitForText(app, '[data-testid="sched-title"]', parts[2]);
      await screenshot(app, `scheduler-locale-${locale}-${clock}-week`);

      // The appointment dialog writes its date and times the same way.
      await click(app, '[data-testid="new-appointment"]');
      await textOf(app, '[data-testid="appointment-dialog"]');
      const dialog = await app.execute(() => ({
        date: document.querySelector('[data-testid="appt-start-date-text"]').textContent.trim(),
        start: document.querySelector('[data-testid="appt-start-time"]').value,
        end: document.querySelector('[data-testid="appt-end-time"]').value,
      }));
      assert.match(dialog.date, DATES[locale], `the dialog's date as the title writes dates: ${JSON.stringify(dialog)}`);
      assert.match(dialog.start, TIMES[clock], `its start time follows the clock: ${JSON.stringify(dialog)}`);
      assert.match(dialog.end, TIMES[clock], `and its end time: ${JSON.stringify(dialog)}`);
      await screenshot(app, `scheduler-locale-${locale}-${clock}-dialog`);
      await click(app, '[data-testid="appt-cancel"]');
    });
  }
}
