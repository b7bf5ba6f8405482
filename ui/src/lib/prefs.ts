// The planner's view preferences (view, date, resource filter, the timeline's zoom and span, the
// scroll positions), kept by the app in tauri-plugin-store (a file in the data folder), so that a
// window rebuilt from the tray opens where the last one was left. Read once before the Scheduler
// is drawn, then read synchronously. Writes go to the app one batch at a time, in the order they
// were made: a batch holds the newest value of every key changed since the last one was sent, so a
// burst of changes (scrolling) is a few writes, and an older value never lands after a newer one.
// Nothing is kept in the page's own storage: that belongs to the machine, not the data folder.

/** Where the preferences are kept: the app's store (view_prefs / save_view_prefs). */
export interface PrefsBackend {
  read(): Promise<Record<string, string>>;
  write(values: Record<string, string>): Promise<unknown>;
}

export class Prefs {
  private values = new Map<string, string>();
  private loading: Promise<void> | null = null;
  /** Values set and not yet sent to the app, by key (the newest only). */
  private pending = new Map<string, string>();
  /** The batches being sent, while one is. */
  private sending: Promise<void> | null = null;

  constructor(
    private readonly keys: readonly string[],
    private readonly backend: PrefsBackend,
  ) {}

  /**
   * Reads the store once (later calls share the first read). A value set before the answer came
   * is newer than the stored one and stays; when the store cannot be read, nothing is remembered.
   */
  load(): Promise<void> {
    this.loading ??= this.backend.read().then(
      (stored) => {
        for (const key of this.keys) {
          const value = stored[key];
          if (typeof value === 'string' && !this.values.has(key)) this.values.set(key, value);
        }
      },
      (error: unknown) => console.warn('View preferences unreadable: the Scheduler starts with its defaults', error),
    );
    return this.loading;
  }

  /** The value kept for `key`, or null (the page's Storage shape, so what took it takes this). */
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  /** Keeps `value` for `key`: at once here, then in the app's store (see `flush`). */
  setItem(key: string, value: string): void {
    if (!this.keys.includes(key) || this.values.get(key) === value) return;
    this.values.set(key, value);
    this.pending.set(key, value);
    void this.flush();
  }

  /**
   * Sends what was set and not sent yet, after the batch being sent; resolves once the app has
   * answered for every value set before the call.
   */
  flush(): Promise<void> {
    this.sending ??= this.send();
    return this.sending;
  }

  private async send(): Promise<void> {
    // Always wait a turn first, so that `flush` has recorded this send before it can end.
    await Promise.resolve();
    try {
      while (this.pending.size > 0) {
        const batch = Object.fromEntries(this.pending);
        this.pending.clear();
        await this.backend
          .write(batch)
          .catch((error: unknown) => console.warn(`View preferences not kept: ${Object.keys(batch).join(', ')}`, error));
      }
    } finally {
      // In the same turn as the loop's last look at `pending`: a value set after it starts a new send.
      this.sending = null;
    }
  }
}
