// The timeline's zoom in the real window at its opening size (1280×820, the demo's resources):
// the week opens fitted to the window's width — no scrolling sideways, the last day's header in
// view — and so does the work week; + widens the hours (now it scrolls sideways), Fit brings the
// week back, Ctrl + wheel zooms in; the choice of span is remembered across a relaunch. Narrow
// cards show their title alone, and their full text on hover (the tooltip).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { click, freshDataDir, launch, screenshot, viewPrefSaved } from './app.mjs';

let app;

after(async () => {
  await app?.deleteSession();
});

async function timelineLoaded() {
  await (await app.$('[data-testid="timeline"]')).waitForDisplayed({ timeout: 10000 });
  await app.waitUntil(async () => !(await (await app.$('[data-testid="scheduler"] .loading')).isExisting()),
    { timeout: 10000, timeoutMsg: 'the timeline did not load' });
}

/** What the timeline looks like now: its scroll extent, its days, the last day's header box. */
const measure = () => app.execute(() => {
  const scroller = document.querySelector('[data-testid="timeline"]');
  const box = scroller.getBoundingClientRect();
  const days = [...scroller.querySelectorAll('[data-testid="timeline-day"]')];
  const last = days[days.length - 1].getBoundingClientRect();
  const hour = days[0].querySelector('.tl-hours span').getBoundingClientRect().width;
  return {
    scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth, days: days.map((d) => d.dataset.day),
    lastLeft: last.left, lastRight: last.right, viewLeft: box.left, viewRight: box.left + scroller.clientWidth, hour,
    windowWidth: window.innerWidth, windowHeight: window.innerHeight,
    // What sticks out beyond the view on the right (for the message when it does not fit).
    beyond: [...scroller.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > box.left + scroller.clientWidth + 1)
      .slice(0, 3).map((e) => `${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
  };
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function assertFits(m, what) {
  assert.ok(m.scrollWidth <= m.clientWidth, `${what} fits without scrolling sideways: scrollWidth ${m.scrollWidth} > clientWidth ${m.clientWidth} (${m.beyond.join('; ')})`);
  assert.ok(m.lastLeft >= m.viewLeft && m.lastRight <= m.viewRight + 1,
    `${what}: the last day's header (${m.lastLeft}–${m.lastRight}) is inside the view (${m.viewLeft}–${m.viewRight})`);
}

test('the timeline fits its span into the window, zooms by +/−, Fit and Ctrl + wheel, and remembers', async () => {
  const dataDir = freshDataDir('zoom');
  app = await launch(dataDir);
  await click(app, '[data-testid="view-resourceTimelineWeek"]');
  await timelineLoaded();
  await settle();

  const week = await measure();
  assert.ok(week.windowWidth >= 1270 && week.windowWidth <= 1290, `the window opens 1280 wide: ${week.windowWidth}`);
  assert.equal(week.days.length, 7, `the default span is a week: ${JSON.stringify(week.days)}`);
  assertFits(week, 'the week');
  await screenshot(app, 'scheduler-zoom-1-week-fits');

  await app.$('[data-testid="timeline-span"]').then((e) => e.selectByAttribute('value', 'workweek'));
  await timelineLoaded();
  await settle();
  const workWeek = await measure();
  assert.equal(workWeek.days.length, 5, `the work week has five days: ${JSON.stringify(workWeek.days)}`);
  assert.equal(new Date(`${workWeek.days[4]}T12:00:00Z`).getUTCDay(), 5, `the work week ends on a Friday: ${workWeek.days[4]}`);
  assertFits(workWeek, 'the work week');
  assert.ok(workWeek.hour > week.hour, `five days get wider hours than seven: ${workWeek.hour} vs ${week.hour}`);
  await screenshot(app, 'scheduler-zoom-2-work-week-fits');

  await click(app, '[data-testid="timeline-zoom-in"]');
  await settle();
  const zoomedIn = await measure();
  assert.ok(Math.abs(zoomedIn.hour - workWeek.hour * 1.5) < 1, `+ draws hours 1.5 × as wide: ${zoomedIn.hour} vs ${workWeek.hour}`);
  assert.ok(zoomedIn.scrollWidth > zoomedIn.clientWidth, `zoomed in, the work week scrolls sideways: ${zoomedIn.scrollWidth} vs ${zoomedIn.clientWidth}`);
  await screenshot(app, 'scheduler-zoom-3-zoomed-in');

  await click(app, '[data-testid="timeline-zoom-out"]');
  await settle();
  assertFits(await measure(), '− back to fit');

  // Ctrl + wheel over the timeline zooms in as + does.
  await app.execute(() => {
    const scroller = document.querySelector('[data-testid="timeline"]');
    scroller.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, ctrlKey: true, bubbles: true, cancelable: true }));
  });
  await settle();
  const wheeled = await measure();
  assert.ok(Math.abs(wheeled.hour - workWeek.hour * 1.5) < 1, `Ctrl + wheel up zooms in: ${wheeled.hour} vs ${workWeek.hour}`);
  await click(app, '[data-testid="timeline-zoom-fit"]');
  await settle();
  assertFits(await measure(), 'Fit');

  // Narrow cards (a month) show their title alone; the tooltip carries the whole card.
  await app.$('[data-testid="timeline-span"]').then((e) => e.selectByAttribute('value', 'month'));
  await timelineLoaded();
  await settle();
  const month = await measure();
  assert.ok(month.days.length >= 28 && month.days[0].endsWith('-01'), `a month from its 1st: ${month.days[0]}, ${month.days.length} days`);
  assertFits(month, 'the month');
  const narrow = await app.execute(() => {
    const card = document.querySelector('.q3-tl-card.tl-narrow');
    if (!card) return null;
    const time = card.querySelector('.q3-card-time');
    return { title: card.getAttribute('title'), timeShown: time ? getComputedStyle(time).display !== 'none' : false };
  });
  assert.ok(narrow, 'a month of the demo has narrow cards');
  assert.equal(narrow.timeShown, false, 'a narrow card shows no time line');
  assert.ok(narrow.title && narrow.title.length > 3, `a narrow card's tooltip has its full text: ${narrow.title}`);
  await screenshot(app, 'scheduler-zoom-4-month');

  await app.$('[data-testid="timeline-span"]').then((e) => e.selectByAttribute('value', 'workweek'));
  await timelineLoaded();
  // Ending the session kills the window process: the choice must be in view-prefs.json first.
  await viewPrefSaved(dataDir, 'quick3.scheduler.timelineZoom', (held) => held != null && JSON.parse(held).span === 'workweek');
  await app.deleteSession();
  app = await launch(dataDir);
  await timelineLoaded();
  await settle();
  const again = await measure();
  assert.equal(again.days.length, 5, `the work week is remembered across a relaunch: ${JSON.stringify(again.days)}`);
  assertFits(again, 'the remembered work week');
});
