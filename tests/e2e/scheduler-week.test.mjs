// The Week view reads at a glance in the real window at 1280×820 with the demo's five resources:
// day columns of at least 90 px (the resources that fit, a page at a time, a picker to go to any),
// every card showing its start time and the first word of its subject (measured in the DOM, not
// read off a screenshot), and a focused card showing its whole subject, time, resource and origin.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { click, freshDataDir, launch, screenshot } from './app.mjs';

let app;

after(async () => {
  await app?.deleteSession();
});

/** The pager and what the Week view draws now: resource heads, day column widths, and each card. */
function weekShown(browser) {
  return browser.execute(() => {
    const root = document.querySelector('[data-testid="scheduler"]');
    const pager = root.querySelector('[data-testid="resource-pager"]');
    const inside = (inner, outer) =>
      inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
    const rect = (r) => ({ left: Math.round(r.left), right: Math.round(r.right), top: Math.round(r.top), bottom: Math.round(r.bottom) });
    const cards = [...root.querySelectorAll('.ec-event[data-appointment-id]')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => {
        const box = el.getBoundingClientRect();
        // What clips the text: the card's inside (overflow hidden) within the card.
        const clip = el.querySelector('.q3-card')?.getBoundingClientRect() ?? box;
        const title = el.querySelector('[data-testid="card-title"]');
        const text = title?.textContent ?? '';
        const firstWord = text.trim().split(/\s+/)[0] ?? '';
        let word = null;
        const node = title?.firstChild;
        if (node && firstWord) {
          const range = document.createRange();
          const at = node.textContent.indexOf(firstWord);
          range.setStart(node, at);
          range.setEnd(node, at + firstWord.length);
          // One box per line: a word broken over two lines is not read at a glance.
          const boxes = [...range.getClientRects()];
          word = { lines: boxes.length, box: rect(range.getBoundingClientRect()), visible: boxes.length === 1 && inside(boxes[0], clip) && inside(boxes[0], box) };
        }
        const start = el.querySelector('[data-testid="card-start"]');
        const startBox = start?.getBoundingClientRect();
        return {
          title: text,
          firstWord,
          allDay: !!el.closest('.ec-all-day'),
          start: start?.textContent ?? null,
          startVisible: startBox ? inside(startBox, clip) && inside(startBox, box) : false,
          word,
          card: rect(box),
        };
      });
    const days = [...root.querySelectorAll('.ec-body .ec-grid .ec-day')]
      .map((d) => d.getBoundingClientRect().width)
      .filter((w) => w > 0);
    return {
      width: window.innerWidth,
      height: window.innerHeight,
      pager: pager
        ? {
          first: Number(pager.dataset.first), count: Number(pager.dataset.count), total: Number(pager.dataset.total),
          label: pager.querySelector('[role="status"]').textContent,
        }
        : null,
      names: [...root.querySelectorAll('[data-testid="resource-page-pick"] option')].map((o) => o.textContent.trim()),
      header: root.querySelector('.ec-header')?.textContent.replace(/\s+/g, ' ') ?? '',
      days,
      cards,
    };
  });
}

test('the Week view at 1280×820 pages through the resources and every card shows its start time and first word', async () => {
  const dataDir = freshDataDir('week');
  app = await launch(dataDir);
  await app.setWindowSize(1280, 820);
  await app.waitUntil(async () => (await app.execute(() => window.innerWidth)) <= 1280,
    { timeout: 5000, timeoutMsg: 'the window did not take 1280 px' });
  await click(app, '[data-testid="view-resourceTimeGridWeek"]');
  // This week (the window remembers the date an earlier run left it on): the demo's first week.
  await click(app, '[data-testid="sched-today"]');
  await app.waitUntil(async () => (await weekShown(app)).cards.length > 0,
    { timeout: 20000, timeoutMsg: 'the Week view drew no cards' });

  const first = await weekShown(app);
  assert.ok(first.width >= 1200 && first.width <= 1280, `the window is about 1280 px wide: ${first.width}×${first.height}`);
  assert.ok(first.pager, 'five resources do not fit side by side at 90 px a day: the pager is shown');
  assert.equal(first.pager.total, 5, `the pager counts the demo's five resources: ${JSON.stringify(first.pager)}`);
  assert.equal(first.pager.label, first.pager.count === 1 ? 'Resource 1 of 5' : `Resources 1–${first.pager.count} of 5`,
    'the pager says which of the five are shown');
  assert.equal(first.names.length, 5, `the picker offers each of them: ${JSON.stringify(first.names)}`);
  await screenshot(app, 'scheduler-week-1280');

  const seen = new Set();
  const checked = [];
  let page = first;
  for (let turn = 0; turn < 5; turn++) {
    assert.ok(Math.min(...page.days) >= 90, `every day column is at least 90 px wide: ${JSON.stringify(page.days)}`);
    assert.equal(page.days.length, 7 * page.pager.count, `seven days for each resource on the page: ${page.days.length}`);
    for (const name of page.names.slice(page.pager.first, page.pager.first + page.pager.count)) {
      assert.ok(page.header.includes(name), `the page's resource ${name} heads its columns: ${page.header}`);
      seen.add(name);
    }
    for (const card of page.cards) {
      if (!card.allDay) {
        assert.match(card.start ?? '', /^\d{2}:\d{2}$/, `a timed card leads with its start time: ${JSON.stringify(card)}`);
        assert.ok(card.startVisible, `its start time is not cut off: ${JSON.stringify(card)}`);
      }
      assert.ok(card.word?.visible, `the first word "${card.firstWord}" of "${card.title}" shows whole on its card: ${JSON.stringify(card)}`);
      checked.push(card.title);
    }
    if (page.pager.first + page.pager.count >= page.pager.total) break;
    const before = page.pager.first;
    await click(app, '[data-testid="resource-page-next"]');
    await app.waitUntil(async () => (page = await weekShown(app)).pager.first > before,
      { timeout: 10000, timeoutMsg: 'Next did not show the next resources' });
    // The new page's cards are drawn in the same update as its columns; give them a frame.
    await app.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
    page = await weekShown(app);
  }
  assert.deepEqual([...seen].sort(), [...first.names].sort(), 'paging reaches every resource');
  assert.ok(checked.length >= 8, `the demo's week has cards enough to judge by: ${JSON.stringify(checked)}`);

  // The picker goes straight to a resource's page.
  const megan = first.names.indexOf('Megan Bowen');
  await app.execute((index) => {
    const select = document.querySelector('[data-testid="resource-page-pick"]');
    select.value = String(index);
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, megan);
  await app.waitUntil(async () => {
    const now = await weekShown(app);
    return now.pager.first <= megan && megan < now.pager.first + now.pager.count;
  }, { timeout: 10000, timeoutMsg: "the picker did not go to Megan Bowen's page" });
});

test('hovering or focusing a Week card shows its whole subject, time, resource and origin', async () => {
  const card = await app.$('[data-testid="scheduler"] .ec-time-grid .ec-body .ec-event[data-appointment-id]');
  await card.waitForDisplayed({ timeout: 10000 });
  const shown = await app.execute((el) => {
    el.focus();
    return {
      title: el.querySelector('[data-testid="card-title"]').textContent,
      tooltip: el.getAttribute('title'),
      label: el.getAttribute('aria-label'),
      tip: getComputedStyle(el, '::after').content,
      resource: document.querySelector('[data-testid="scheduler"] .ec-header').textContent,
    };
  }, card);
  const lines = shown.tooltip.split('\n');
  assert.equal(lines[0], shown.title, `the tooltip starts with the whole subject: ${shown.tooltip}`);
  assert.match(lines[1], /^\d{2}:\d{2}\s*[-–]\s*\d{2}:\d{2}$/, `then its time: ${shown.tooltip}`);
  assert.ok(lines[2] && shown.resource.includes(lines[2]), `then its resource: ${shown.tooltip}`);
  assert.match(lines[3], /^From (Quick3|.+ \(Microsoft 365\))$/, `then where it comes from: ${shown.tooltip}`);
  assert.ok(shown.label.includes(lines[2]), `the label names the resource for a screen reader: ${shown.label}`);
  assert.ok(shown.tip.includes(shown.title) && shown.tip.includes(lines[2]),
    `focused, the card draws the same text beside it: ${shown.tip}`);
  await screenshot(app, 'scheduler-week-focused-card');
});
