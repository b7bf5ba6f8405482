// The timeline's week loader: the backend's answers kept per week (its Monday) for a minute — the
// week shown and the ones either side, asked for ahead so that Previous and Next draw at once — and
// the order of loads (an answer for an older load is dropped; `loading` follows the newest).
import type { AppointmentCard } from '../bindings/AppointmentCard';
import { addDays, type DateText } from './time';
import { daysBetween } from './timeline';

/** How long an answer is used: a minute at most. */
export const WEEK_FRESH_MS = 60000;

/** One load's place in the order: whether it is still the newest, and its end. */
export interface LoadTicket {
  current(): boolean;
  /** The load ended (answered or failed): `loading` is over if it was the newest. */
  done(): void;
}

export class WeekLoader {
  /** A load is under way and no newer one started since. */
  loading = $state(false);
  #weeks = new Map<DateText, { at: number; answer: Promise<AppointmentCard[]> }>();
  #loads = 0;

  /**
   * `ask` asks the backend for the week starting on a Monday (in the zone of the moment); `now`
   * is the clock, in milliseconds.
   */
  constructor(
    private readonly ask: (monday: DateText) => Promise<AppointmentCard[]>,
    private readonly now: () => number = Date.now,
    private readonly freshMs = WEEK_FRESH_MS,
  ) {}

  /**
   * The cards of the week starting on `monday`: the kept answer while fresh, else asked for now.
   * A failed answer is not kept; weeks more than one away from the `shown` week are forgotten.
   */
  week(monday: DateText, shown: DateText): Promise<AppointmentCard[]> {
    const kept = this.#weeks.get(monday);
    if (kept && this.now() - kept.at < this.freshMs) return kept.answer;
    const answer = this.ask(monday);
    this.#weeks.set(monday, { at: this.now(), answer });
    answer.catch(() => {
      if (this.#weeks.get(monday)?.answer === answer) this.#weeks.delete(monday);
    });
    // The shown week and its neighbours are what is worth keeping.
    for (const key of this.#weeks.keys()) {
      if (Math.abs(daysBetween(shown, key)) > 7) this.#weeks.delete(key);
    }
    return answer;
  }

  /** Asks for the weeks either side of `monday` ahead, failures ignored (asked again when shown). */
  askAround(monday: DateText, shown: DateText) {
    this.week(addDays(monday, 7), shown).catch(() => {});
    this.week(addDays(monday, -7), shown).catch(() => {});
  }

  /** Forgets every answer (a save, a sync, another zone or filter). */
  clear() {
    this.#weeks.clear();
  }

  /** The weeks kept, by Monday (for tests and diagnostics). */
  get kept(): DateText[] {
    return [...this.#weeks.keys()];
  }

  /** Starts a load: from now on every older load is no longer current. */
  begin(): LoadTicket {
    const load = ++this.#loads;
    this.loading = true;
    const current = () => load === this.#loads;
    return {
      current,
      done: () => {
        if (current()) this.loading = false;
      },
    };
  }
}
