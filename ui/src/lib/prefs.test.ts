import { describe, expect, it, vi } from 'vitest';
import { Prefs, type PrefsBackend } from './prefs';

const KEYS = ['view', 'date', 'scroll'];

/**
 * An app's store whose writes the test answers one by one (as the app answers them, in its own
 * time): `stored` is what the store holds once the answered writes are applied.
 */
function store(initial: Record<string, string> | Error = {}) {
  const stored: Record<string, string> = initial instanceof Error ? {} : { ...initial };
  const writes: { values: Record<string, string>; answer: (ok?: boolean) => void }[] = [];
  let reads = 0;
  const backend: PrefsBackend = {
    read: () => {
      reads++;
      return initial instanceof Error ? Promise.reject(initial) : Promise.resolve({ ...initial });
    },
    write: (values) =>
      new Promise((resolve, reject) => {
        writes.push({
          values,
          answer: (ok = true) => {
            if (!ok) return reject(new Error('read-only'));
            Object.assign(stored, values);
            resolve(null);
          },
        });
      }),
  };
  return { backend, stored, writes, reads: () => reads };
}

/** Lets the promises settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Prefs', () => {
  it('reads what the store keeps', async () => {
    const prefs = new Prefs(KEYS, store({ view: 'dayGridMonth' }).backend);
    await prefs.load();
    expect(prefs.getItem('view')).toBe('dayGridMonth');
    expect(prefs.getItem('date'), 'a key the store lacks has no value').toBeNull();
  });

  it("never touches the page's own storage (the machine's): a fresh data folder starts at the defaults", async () => {
    const page = { getItem: vi.fn(() => 'dayGridMonth'), setItem: vi.fn() };
    vi.stubGlobal('localStorage', page);
    try {
      const prefs = new Prefs(KEYS, store({}).backend);
      await prefs.load();
      prefs.setItem('date', 'Monday');
      expect(prefs.getItem('view')).toBeNull();
      expect(page.getItem).not.toHaveBeenCalled();
      expect(page.setItem).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('starts at the defaults when the store cannot be read', async () => {
    const prefs = new Prefs(KEYS, store(new Error('damaged file')).backend);
    await prefs.load();
    expect(prefs.getItem('view')).toBeNull();
  });

  it('ignores keys it does not keep and values that are not text', async () => {
    const prefs = new Prefs(KEYS, store({ other: 'x', scroll: 3 as unknown as string }).backend);
    await prefs.load();
    expect(prefs.getItem('other')).toBeNull();
    expect(prefs.getItem('scroll')).toBeNull();
    prefs.setItem('other', 'y');
    expect(prefs.getItem('other'), 'a key it does not keep is not kept').toBeNull();
  });

  it('keeps a value set before the store answered over the stored one (it is newer)', async () => {
    const app = store({ view: 'dayGridMonth' });
    const prefs = new Prefs(KEYS, app.backend);
    const loading = prefs.load();
    prefs.setItem('view', 'resourceTimeGridWeek');
    await loading;
    expect(prefs.getItem('view')).toBe('resourceTimeGridWeek');
  });

  it('sends one write at a time, so an older value never lands after a newer one', async () => {
    const app = store();
    const prefs = new Prefs(KEYS, app.backend);
    await prefs.load();
    prefs.setItem('date', 'Monday');
    await settle();
    prefs.setItem('date', 'Tuesday');
    prefs.setItem('scroll', '100');
    prefs.setItem('scroll', '420');
    await settle();
    expect(app.writes.map((w) => w.values), 'the later values wait for the first write').toEqual([{ date: 'Monday' }]);
    app.writes[0].answer();
    await settle();
    expect(app.writes.map((w) => w.values), 'then go as one batch with the newest value of each key').toEqual([
      { date: 'Monday' },
      { date: 'Tuesday', scroll: '420' },
    ]);
    app.writes[1].answer();
    await prefs.flush();
    expect(app.stored).toEqual({ date: 'Tuesday', scroll: '420' });
  });

  it('flush resolves once the app has answered for every value set before it', async () => {
    const app = store();
    const prefs = new Prefs(KEYS, app.backend);
    await prefs.load();
    prefs.setItem('view', 'dayGridMonth');
    let flushed = false;
    const flushing = prefs.flush().then(() => (flushed = true));
    await settle();
    expect(flushed, 'not before the app answered').toBe(false);
    app.writes[0].answer();
    await flushing;
    expect(app.stored.view).toBe('dayGridMonth');
    await expect(prefs.flush(), 'nothing left to send').resolves.toBeUndefined();
  });

  it('writes an unchanged value once, and goes on after a write the store refused', async () => {
    const app = store();
    const prefs = new Prefs(KEYS, app.backend);
    await prefs.load();
    prefs.setItem('scroll', '420');
    prefs.setItem('scroll', '420');
    await settle();
    app.writes[0].answer(false);
    await prefs.flush();
    expect(prefs.getItem('scroll'), 'the window keeps it while it lives').toBe('420');
    prefs.setItem('view', 'dayGridMonth');
    await settle();
    expect(app.writes.map((w) => w.values)).toEqual([{ scroll: '420' }, { view: 'dayGridMonth' }]);
    app.writes[1].answer();
    await prefs.flush();
    expect(app.stored).toEqual({ view: 'dayGridMonth' });
  });

  it('reads the store once however often it is asked', async () => {
    const app = store();
    const prefs = new Prefs(KEYS, app.backend);
    await Promise.all([prefs.load(), prefs.load()]);
    expect(app.reads()).toBe(1);
  });
});
