// What the Scheduler benchmarks share: timing a click until the Scheduler shows a range's
// appointments and a frame is drawn with them, the CLI's count for a week, and summaries.
import { execFileSync } from 'node:child_process';

export const ms = (x) => Math.round(x * 10) / 10;
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const summary = (xs) => ({ median: ms(median(xs)), min: ms(Math.min(...xs)), max: ms(Math.max(...xs)), runs: xs.map(ms) });

/**
 * Clicks `selector` inside the page and times until the Scheduler holds `expected` appointments
 * and a frame has been drawn with them (requestAnimationFrame after the DOM has them). In
 * EventCalendar's views that is `expected` cards in the page; the resource timeline draws only the
 * rows in view, so there it is the week starting `week` laid out with `expected` appointments
 * (its `data-appointments`) and the cards of the rows in view drawn — `drawn` counts those. The
 * page keeps the result; it is fetched when the page is free again (a long render blocks every
 * request).
 */
export async function timeClick(app, selector, expected, week) {
  await app.execute((sel, wanted, monday) => {
    window.__benchResult = null;
    const root = document.querySelector('[data-testid="scheduler"]');
    performance.clearMeasures();
    const t0 = performance.now();
    document.querySelector(sel).click();
    const shown = () => {
      const timeline = root.querySelector('[data-testid="timeline"]');
      if (!timeline) return root.querySelectorAll('.ec-event').length;
      return timeline.dataset.week === monday ? Number(timeline.dataset.appointments) : -1;
    };
    const check = () => {
      const n = shown();
      if (n === wanted) {
        // The first frame to start with the appointments in the page: what follows is its style,
        // layout and paint, until the next frame starts.
        const seen = performance.now() - t0;
        requestAnimationFrame(() => {
          const drawn = root.querySelectorAll('[data-appointment-id]').length;
          // The Scheduler's own measures of the load (see Scheduler.svelte), the last of each.
          const parts = {};
          for (const m of performance.getEntriesByType('measure')) {
            if (m.name.startsWith('quick3:')) parts[m.name.slice(7)] = Math.round(m.duration * 10) / 10;
          }
          performance.clearMeasures();
          const total = performance.now() - t0;
          parts['last-frame'] = Math.round((total - seen) * 10) / 10;
          window.__benchResult = { ms: total, cards: n, drawn, parts };
        });
      } else if (performance.now() - t0 > 600000) window.__benchResult = { ms: NaN, cards: n };
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, selector, expected, week);
  let result = null;
  await app.waitUntil(async () => (result = await app.execute(() => window.__benchResult)) !== null,
    { timeout: 660000, interval: 100 });
  return result;
}

/** How many appointments the Scheduler should show between two dates (the CLI's count). */
export function stored(dataDir, from, to) {
  const out = execFileSync(process.env.QUICK3_CLI_BIN, ['appointment', 'list', '--from', from, '--to', to, '--json'],
    { env: { ...process.env, QUICK3_DATA_DIR: dataDir }, encoding: 'utf8', maxBuffer: 1 << 30 });
  return JSON.parse(out).length;
}

const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Monday of this week moved by `offsetWeeks`, and the Monday after it (machine zone). */
export function weekFrom(offsetWeeks) {
  const d = new Date();
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 7 * offsetWeeks);
  const end = new Date(d);
  end.setDate(end.getDate() + 7);
  return [day(d), day(end)];
}
