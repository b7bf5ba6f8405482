import { describe, expect, it } from 'vitest';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import { WEEK_FRESH_MS, WeekLoader } from './weeks.svelte';

/** A loader over a fake backend and a fake clock: what was asked, and answers settled by hand. */
function fixture() {
  let clock = 1_000_000;
  const asked: string[] = [];
  const pending = new Map<string, { resolve: (c: AppointmentCard[]) => void; reject: (e: unknown) => void }>();
  const loader = new WeekLoader(
    (monday) =>
      new Promise<AppointmentCard[]>((resolve, reject) => {
        asked.push(monday);
        pending.set(monday, { resolve, reject });
      }),
    () => clock,
  );
  return { loader, asked, pending, advance: (ms: number) => (clock += ms) };
}

const MON = '2026-11-23';
const NEXT = '2026-11-30';
const PREV = '2026-11-16';

describe('week loader: the cache', () => {
  it('answers a week asked again within a minute from what it kept, and asks anew after', () => {
    const { loader, asked, advance } = fixture();
    const first = loader.week(MON, MON);
    advance(WEEK_FRESH_MS - 1);
    expect(loader.week(MON, MON), 'a fresh answer is used again').toBe(first);
    expect(asked).toEqual([MON]);
    advance(1);
    expect(loader.week(MON, MON), 'an answer a minute old is asked for again').not.toBe(first);
    expect(asked).toEqual([MON, MON]);
  });

  it('forgets a failed answer, so the week is asked for again', async () => {
    const { loader, asked, pending } = fixture();
    const answer = loader.week(MON, MON);
    pending.get(MON)?.reject({ code: 'Store', message: 'boom' });
    await expect(answer).rejects.toMatchObject({ code: 'Store' });
    expect(loader.kept, 'nothing kept of a failure').toEqual([]);
    void loader.week(MON, MON).catch(() => {});
    expect(asked).toEqual([MON, MON]);
  });

  it('keeps a newer answer when an older one for the same week fails after a refresh', async () => {
    const { loader, pending } = fixture();
    const older = loader.week(MON, MON);
    const rejectOlder = pending.get(MON)?.reject;
    loader.clear();
    const newer = loader.week(MON, MON);
    rejectOlder?.('gone');
    await expect(older).rejects.toBe('gone');
    expect(loader.week(MON, MON), 'the newer answer is still the one kept').toBe(newer);
  });

  it('asks for the weeks either side ahead and keeps only the shown week and its neighbours', () => {
    const { loader, asked } = fixture();
    void loader.week(MON, MON);
    loader.askAround(MON, MON);
    expect(asked).toEqual([MON, NEXT, PREV]);
    expect(loader.kept.sort()).toEqual([PREV, MON, NEXT]);
    // Two weeks on: the week before the old one is too far away now.
    void loader.week('2026-12-07', NEXT);
    expect(loader.kept.sort()).toEqual([MON, NEXT, '2026-12-07']);
  });

  it('forgets everything on clear (a save, a sync, another zone or filter)', () => {
    const { loader, asked } = fixture();
    void loader.week(MON, MON);
    loader.clear();
    expect(loader.kept).toEqual([]);
    void loader.week(MON, MON);
    expect(asked, 'asked again after a clear, however fresh').toEqual([MON, MON]);
  });

  it('ignores failures of weeks asked for ahead', async () => {
    const { loader, pending } = fixture();
    loader.askAround(MON, MON);
    pending.get(NEXT)?.reject('offline');
    pending.get(PREV)?.reject('offline');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loader.kept, 'both forgotten, no unhandled rejection').toEqual([]);
  });
});

describe('week loader: the order of loads', () => {
  it('makes an older load stale once a newer one starts', () => {
    const { loader } = fixture();
    const first = loader.begin();
    expect(first.current()).toBe(true);
    const second = loader.begin();
    expect(first.current(), 'its answer is dropped').toBe(false);
    expect(second.current()).toBe(true);
  });

  it('is loading until the newest load is done, whatever older loads do', () => {
    const { loader } = fixture();
    expect(loader.loading).toBe(false);
    const first = loader.begin();
    const second = loader.begin();
    expect(loader.loading).toBe(true);
    first.done();
    expect(loader.loading, 'an older load ending does not end the newest').toBe(true);
    second.done();
    expect(loader.loading).toBe(false);
  });
});
