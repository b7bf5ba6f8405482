// The planner's view preferences (view, date, resource filter), kept by the app
// in tauri-plugin-store (a file in the data folder), so that a window rebuilt from the tray opens
// where the last one was left. Read once before the Scheduler is drawn, then read synchronously;
// a copy goes to the page's localStorage, which is read when the store cannot be.

/** Where the preferences are kept: the app's store (view_prefs / save_view_pref). */
export interface PrefsBackend {
  read(): Promise<Record<string, string>>;
  write(key: string, value: string): Promise<unknown>;
}

/** The part of the page's localStorage the fallback uses. */
export type PageStorage = Pick<Storage, 'getItem' | 'setItem'>;

export class Prefs {
  private values = new Map<string, string>();
  private loading: Promise<void> | null = null;

  constructor(
    private readonly keys: readonly string[],
    private readonly backend: PrefsBackend,
    private readonly page: PageStorage | undefined,
  ) {}

  /**
   * Reads the store once (later calls share the first read). A key the store lacks is taken
   * from the page's copy (preferences kept before the store, or a write that failed); when the
   * store cannot be read at all, every key is.
   */
  load(): Promise<void> {
    this.loading ??= this.backend.read().then(
      (stored) => {
        for (const key of this.keys) {
          const value = typeof stored[key] === 'string' ? stored[key] : this.page?.getItem(key);
          if (value != null) this.values.set(key, value);
        }
      },
      (error: unknown) => {
        console.warn('View preferences unreadable, using the page copy', error);
        for (const key of this.keys) {
          const value = this.page?.getItem(key);
          if (value != null) this.values.set(key, value);
        }
      },
    );
    return this.loading;
  }

  /** The value kept for `key`, or null. */
  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  /** Keeps `value` for `key`: at once here and in the page's copy, then in the store. */
  set(key: string, value: string): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    try {
      this.page?.setItem(key, value);
    } catch {
      // a full or disabled localStorage: the store still keeps it
    }
    this.backend.write(key, value).catch((error: unknown) => console.warn(`View preference ${key} not kept`, error));
  }
}
