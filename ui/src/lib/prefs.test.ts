import { describe, expect, it } from 'vitest';
import { Prefs, type PageStorage, type PrefsBackend } from './prefs';

const KEYS = ['view', 'date', 'scroll'];

function page(initial: Record<string, string> = {}): PageStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

function store(initial: Record<string, string> | Error): PrefsBackend & { written: [string, string][] } {
  const written: [string, string][] = [];
  return {
    written,
    read: () => (initial instanceof Error ? Promise.reject(initial) : Promise.resolve({ ...initial })),
    write: (k, v) => {
      written.push([k, v]);
      return Promise.resolve();
    },
  };
}

describe('Prefs', () => {
  it('reads what the store keeps, over the page copy (the store is what the tray and a rebuilt window share)', async () => {
    const prefs = new Prefs(KEYS, store({ view: 'dayGridMonth' }), page({ view: 'resourceTimeGridWeek' }));
    await prefs.load();
    expect(prefs.get('view')).toBe('dayGridMonth');
  });

  it('takes a key the store lacks from the page copy (kept before the store existed)', async () => {
    const prefs = new Prefs(KEYS, store({}), page({ date: '{"date":"2026-12-01","on":"2026-12-01"}' }));
    await prefs.load();
    expect(prefs.get('date')).toBe('{"date":"2026-12-01","on":"2026-12-01"}');
    expect(prefs.get('scroll')).toBeNull();
  });

  it('falls back to the page copy when the store cannot be read', async () => {
    const prefs = new Prefs(KEYS, store(new Error('damaged file')), page({ view: 'dayGridMonth' }));
    await prefs.load();
    expect(prefs.get('view')).toBe('dayGridMonth');
  });

  it('ignores keys it does not keep and values that are not text', async () => {
    const prefs = new Prefs(KEYS, store({ other: 'x', scroll: 3 as unknown as string }), page());
    await prefs.load();
    expect(prefs.get('other')).toBeNull();
    expect(prefs.get('scroll')).toBeNull();
  });

  it('keeps a value at once, in the page copy and in the store, and writes an unchanged one once', async () => {
    const backend = store({});
    const copy = page();
    const prefs = new Prefs(KEYS, backend, copy);
    await prefs.load();
    prefs.set('scroll', '420');
    prefs.set('scroll', '420');
    expect(prefs.get('scroll')).toBe('420');
    expect(copy.items.get('scroll')).toBe('420');
    expect(backend.written).toEqual([['scroll', '420']]);
  });

  it('keeps a value when the store refuses it (the page copy is read next time)', async () => {
    const backend: PrefsBackend = { read: () => Promise.resolve({}), write: () => Promise.reject(new Error('read-only')) };
    const copy = page();
    const prefs = new Prefs(KEYS, backend, copy);
    await prefs.load();
    expect(() => prefs.set('view', 'dayGridMonth')).not.toThrow();
    expect(prefs.get('view')).toBe('dayGridMonth');
    expect(copy.items.get('view')).toBe('dayGridMonth');
  });

  it('reads the store once however often it is asked', async () => {
    let reads = 0;
    const backend: PrefsBackend = { read: () => (reads++, Promise.resolve({})), write: () => Promise.resolve() };
    const prefs = new Prefs(KEYS, backend, page());
    await Promise.all([prefs.load(), prefs.load()]);
    expect(reads).toBe(1);
  });
});
