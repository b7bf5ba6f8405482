// The cards of the Scheduler's visible range, without a DOM: asked for per range (EventCalendar's
// day, week or month; the timeline's span, a week of it through the week loader, kept a minute
// and asked for ahead), only the shown resources', remembered by id for the dialog and search,
// with the range's double bookings and the accounts for the origin badges; an answer for an older
// load is dropped, a failure shown. Where a load's time goes is measured for script/bench-scheduler.
import type { Calendar } from '@event-calendar/core';
import type { Account } from '../bindings/Account';
import type { AccountId } from '../bindings/AccountId';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { rangeQuery, toCalendarEvent, type CardContext } from './calendar';
import { doubleBookedIds, findDoubleBookings, type DoubleBooking } from './conflicts';
import { markStep } from './startup';
import { addDays, type DateText } from './time';
import { toTimelineCard, type TimelineCard } from './timeline';
import { WeekLoader } from './weeks.svelte';
import { mondaysOf } from './zoom';

/** What the cards need of the Scheduler around them. */
export interface CardsScreen {
  /** The resources shown (the filter's): only their cards are kept. */
  shown(): Resource[];
  resourcesById(): ReadonlyMap<ResourceId, Resource>;
  zone(): string;
  mine(): ResourceId | null;
  /** The backend's cards from `from` to `to` (instants, end exclusive). */
  cards(from: string, to: string): Promise<AppointmentCard[]>;
  /** Every resource's Microsoft 365 accounts. */
  accounts(): Promise<Account[]>;
  /** Resolves once the screen has drawn what changed (Svelte's `tick`). */
  drawn(): Promise<void>;
  /** Runs `run` after the next frame is painted. */
  afterPaint(run: () => void): void;
  /** The timeline drew a span: the card to focus or reveal, if one waits. */
  timelineDrawn(): Promise<void>;
}

export class RangeCards {
  /** The cards of the visible range (what they show, not the whole appointments), by id. */
  readonly records = new Map<string, AppointmentCard>();
  /** Bumped by each load that changed `records` (search runs again). */
  loaded = $state(0);
  /** The double bookings of the visible range; the toolbar lists them as rows when opened. */
  doubleBookings: DoubleBooking[] = $state.raw([]);
  loadError: string | null = $state(null);
  /** E-mails of the Microsoft 365 accounts, for the origin badges and the legend. */
  accounts = $state(new Map<AccountId, string>());
  /** EventCalendar is loading; the timeline's loads are the week loader's. */
  calendarLoading = $state(false);
  /** The timeline's cards, and the span they are of (the one asked for once its cards are there). */
  timelineCards: TimelineCard[] = $state.raw([]);
  timelineShown: DateText[] = $state.raw([]);
  /** The timeline's weeks, kept a minute, and the order of its loads (see lib/weeks). */
  readonly weeks: WeekLoader;
  /** The accounts, asked for as the Scheduler starts; the first load of cards waits for them. */
  #accountsRead: Promise<void>;

  constructor(
    private readonly screen: CardsScreen,
    timelineDays: DateText[],
  ) {
    this.timelineShown = timelineDays;
    this.weeks = new WeekLoader((monday) => this.#ask(`${monday}T00:00:00`, `${addDays(monday, 7)}T00:00:00`));
    this.#accountsRead = this.readAccounts();
  }

  /** Whether a load of the view shown is under way. */
  loading(timeline: boolean): boolean {
    return timeline ? this.weeks.loading : this.calendarLoading;
  }

  /** Reads the accounts of every resource (for the badges), in one call. */
  async readAccounts() {
    const list = await this.screen.accounts().catch(() => []);
    this.accounts = new Map(list.map((a) => [a.id, a.email]));
    markStep('accounts-read');
  }

  /** EventCalendar's range (its `events` callback): its events, none when the load failed. */
  async calendarEvents(info: { startStr: string; endStr: string }): Promise<Calendar.EventInput[]> {
    try {
      const loaded = await this.#load(info.startStr, info.endStr);
      if (!loaded) return [];
      return loaded.list.map((r) => toCalendarEvent(r, this.screen.resourcesById(), this.screen.zone(), loaded.ctx));
    } catch (e) {
      this.loadError = (e as ErrorPayload).message;
      return [];
    }
  }

  /** Loads the timeline's `days` and draws them, then focuses or reveals the card asked for. */
  async loadTimeline(days: DateText[]) {
    const load = this.weeks.begin();
    const monday = mondaysOf(days).length === 1 ? mondaysOf(days)[0] : null;
    try {
      const result = await this.#load(
        `${days[0]}T00:00:00`,
        `${addDays(days[days.length - 1], 1)}T00:00:00`,
        load.current,
        // Up to a week: the week loader's (kept, asked ahead); longer spans ask for their range.
        monday ? () => this.weeks.week(monday, monday) : undefined,
      );
      if (!result) return;
      const built = performance.now();
      this.timelineCards = result.list.map((r) => toTimelineCard(r, this.screen.resourcesById(), this.screen.zone(), result.ctx));
      performance.measure('quick3:timeline-cards', { start: built });
      this.timelineShown = days;
      const drawn = performance.now();
      await this.screen.drawn();
      performance.measure('quick3:timeline-draw', { start: drawn });
    } catch (e) {
      if (!load.current()) return;
      this.loadError = (e as ErrorPayload).message;
      this.timelineCards = [];
      this.timelineShown = days;
    } finally {
      load.done();
    }
    await this.screen.drawn();
    // Once this week is drawn, ask for the weeks either side of it.
    if (load.current()) {
      this.screen.afterPaint(() => {
        if (load.current() && days.length <= 7) this.weeks.askAround(mondaysOf(days)[0], mondaysOf(days)[0]);
      });
    }
    await this.screen.timelineDrawn();
  }

  #ask(startWall: string, endWall: string): Promise<AppointmentCard[]> {
    const { from, to } = rangeQuery(startWall, endWall, this.screen.zone());
    return this.screen.cards(from, to);
  }

  /**
   * The appointments of the shown resources in a visible range (wall times in the planner's zone,
   * end exclusive), remembered for the dialog and search, with the range's double bookings; and
   * what their cards need to know. Null when an older load is answered after a newer one started.
   */
  async #load(
    startWall: string,
    endWall: string,
    isCurrent: () => boolean = () => true,
    answer: () => Promise<AppointmentCard[]> = () => this.#ask(startWall, endWall),
  ): Promise<{ list: AppointmentCard[]; ctx: CardContext } | null> {
    const visible = new Set(this.screen.shown().map((r) => r.id));
    const asked = performance.now();
    markStep('first-range-asked');
    // The first load waits for the accounts too (asked for beside it): its cards carry their badges.
    const [cards] = await Promise.all([answer(), this.#accountsRead]);
    const list = cards.filter((r) => visible.has(r.resource_id));
    if (!isCurrent()) return null;
    const answered = performance.now();
    markStep('first-range-answered');
    this.records.clear();
    for (const r of list) this.records.set(r.id, r);
    this.loaded++;
    this.loadError = null;
    // Double bookings of the visible range only: what overlaps it, not what lies outside.
    const bookings = findDoubleBookings(list, this.screen.zone());
    this.doubleBookings = bookings;
    // Where a load's time goes (script/bench-scheduler reads these).
    performance.measure('quick3:load-ipc', { start: asked, end: answered });
    performance.measure('quick3:load-double-bookings', { start: answered });
    return { list, ctx: { mine: this.screen.mine(), accounts: this.accounts, doubleBooked: doubleBookedIds(bookings) } };
  }
}
