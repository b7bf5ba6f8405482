// What the Scheduler shows, without a DOM: the view (EventCalendar's day, week or month, or our
// timeline), its dates (Previous, Next, Today, a date picked; the timeline's span), the resources
// shown (the filter, remembered) and, in the Day and Week views, the page of them that fits; the
// timeline's zoom; where a saved appointment is brought into view. EventCalendar is reached
// through the screen passed in; Scheduler.svelte wires it.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { DATE_KEY, dateToRemember, rememberedDate, rememberedView, revealTarget, VIEW_KEY } from './calendar';
import { pageHolding, resourcesPerPage } from './columns';
import { rememberedHidden, shownResources } from './navigation';
import { datePart, wallTimeAt, type DateText } from './time';
import { daysFrom, weekTitle } from './timeline';
import { hoursChosen, rememberedZoom, spanLength, spanStart, stepSpan, ZOOM_KEY, zoomToRemember, type TimelineZoom } from './zoom';
import { workingSpan } from './workingHours';

/** The week with resources as rows: drawn by our ResourceTimeline, not by EventCalendar. */
export const TIMELINE = 'resourceTimelineWeek';
export const HIDDEN_KEY = 'quick3.scheduler.hiddenResources';

/** What the view moves in EventCalendar (CalendarView's methods). */
export interface CalendarNavigation {
  prev(): void;
  next(): void;
  gotoDate(date: DateText | Date): void;
}

/** What the view needs of the Scheduler around it. */
export interface ViewScreen {
  /** Already ordered: the planner's own resource first. */
  resources(): Resource[];
  /** Today in the planner's zone. */
  today(): DateText;
  /** EventCalendar, when a day, week or month view is shown. */
  calendar(): CalendarNavigation | undefined;
  /** EventCalendar's options (its view and date when the view changes, its scroll to reveal). */
  options(): { view?: string; date?: unknown; scrollTime?: unknown };
  /** Shown resources changed: the range is asked for again. */
  refresh(): void;
  /** Where the view, date, filter and zoom are remembered (the view preferences, lib/prefs). */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}

/** What EventCalendar last said it shows (its `datesSet`). */
export interface DatesShown {
  /** The visible range as wall times in the planner's zone (end exclusive). */
  range: { start: string; end: string };
  view: string;
  /** The first day shown. */
  date: string;
  title: string;
}

export class SchedulerView {
  view: string = $state('');
  readonly isTimeline = $derived(this.view === TIMELINE);
  /** The first view: the one remembered from last time. */
  readonly initialView: string;
  /** The first date: the one left today (the window closed to the tray and opened again), else today. */
  readonly initialDate: DateText;

  hidden: Set<ResourceId> = $state(new Set());
  readonly shown = $derived(shownResources(this.screen.resources(), this.hidden));

  /** The calendar's width (the window's until the calendar is laid out: the same, to the pixel). */
  calendarWidth = $state(globalThis.innerWidth ?? 1280);
  /**
   * The Day and Week views with many resources draw a page of them, as many as fit at a readable
   * width (see lib/columns); the timeline draws all (it draws only the rows in view).
   */
  readonly gridDays = $derived(this.view === 'resourceTimeGridDay' ? 1 : this.view === 'resourceTimeGridWeek' ? 7 : 0);
  /** The first resource of the page asked for (the page holding it is shown). */
  pageAt = $state(0);
  readonly perPage = $derived(
    // Less the calendar's padding and the time axis.
    this.gridDays === 0 ? this.shown.length : resourcesPerPage(this.shown.length, this.calendarWidth - 24 - 60, this.gridDays),
  );
  readonly page = $derived(pageHolding(this.pageAt, this.perPage, this.shown.length));
  readonly columns = $derived(this.shown.slice(this.page.first, this.page.first + this.page.count));

  /** The timeline's span, working hours and zoom step, remembered (lib/zoom). */
  zoom: TimelineZoom = $state(rememberedZoom(null));
  /** The timeline's first day. */
  timelineStart: DateText = $state('');
  readonly timelineDays = $derived(daysFrom(this.timelineStart, spanLength(this.zoom.span, this.timelineStart)));

  /** EventCalendar's first day shown and title. */
  shownDate = $state('');
  title = $state('');
  /** The dates the toolbar shows: EventCalendar's, or the timeline's. */
  readonly shownTitle = $derived(this.isTimeline ? weekTitle(this.timelineDays) : this.title);
  readonly pickerDate = $derived(this.isTimeline ? this.timelineStart : this.shownDate);
  /** EventCalendar's range (wall times in the planner's zone, end exclusive). */
  #visibleRange: { start: string; end: string } | null = null;
  #scrollNudge = 0;
  /** The planner chose the timeline's hours on its zoom bar (else the working day's are shown). */
  #hoursChosen = false;

  constructor(private readonly screen: ViewScreen) {
    const stored = (key: string) => screen.storage?.getItem(key);
    this.initialView = rememberedView(stored(VIEW_KEY));
    this.view = this.initialView;
    this.initialDate = rememberedDate(stored(DATE_KEY), screen.today());
    this.hidden = rememberedHidden(stored(HIDDEN_KEY), screen.resources());
    this.zoom = rememberedZoom(stored(ZOOM_KEY), workingSpan(screen.resources()));
    this.#hoursChosen = hoursChosen(stored(ZOOM_KEY));
    this.timelineStart = spanStart(this.zoom.span, this.initialDate);
  }

  /** EventCalendar drew other dates (or another view). */
  datesShown(dates: DatesShown) {
    this.#visibleRange = dates.range;
    this.shownDate = dates.date;
    this.title = dates.title;
    this.view = dates.view;
  }

  /** Remembers the date shown, for today only. */
  rememberDate() {
    if (this.pickerDate) this.screen.storage?.setItem(DATE_KEY, dateToRemember(this.pickerDate, this.screen.today()));
  }

  prev() {
    if (this.isTimeline) this.timelineStart = stepSpan(this.zoom.span, this.timelineStart, -1);
    else this.screen.calendar()?.prev();
  }

  next() {
    if (this.isTimeline) this.timelineStart = stepSpan(this.zoom.span, this.timelineStart, 1);
    else this.screen.calendar()?.next();
  }

  /** A date picked (a `Date`: today, in the timeline the planner's today). */
  gotoDate(date: DateText | Date) {
    if (this.isTimeline) this.timelineStart = spanStart(this.zoom.span, typeof date === 'string' ? date : this.screen.today());
    else this.screen.calendar()?.gotoDate(date);
  }

  /** Today: the span holding it. */
  today() {
    this.gotoDate(this.isTimeline ? this.screen.today() : new Date());
  }

  changeView(next: string) {
    if (next === this.view) return;
    if (next === TIMELINE) {
      this.timelineStart = spanStart(this.zoom.span, this.shownDate || this.screen.today());
    } else if (this.isTimeline) {
      // EventCalendar is drawn anew: on today when the timeline's span holds it, else its first day.
      this.screen.options().date = this.#todayIfShown();
    }
    // datesSet does not fire when the new view shows the same dates, so track the view here too.
    this.view = next;
    this.screen.options().view = next;
    this.screen.storage?.setItem(VIEW_KEY, next);
  }

  /** A new span, hours or zoom step for the timeline: remembered; a new span starts on the day shown. */
  changeZoom(next: TimelineZoom) {
    if (next.span !== this.zoom.span) this.timelineStart = spanStart(next.span, this.#todayIfShown());
    if (next.first !== this.zoom.first || next.last !== this.zoom.last) this.#hoursChosen = true;
    this.zoom = next;
    this.screen.storage?.setItem(ZOOM_KEY, zoomToRemember(next, this.#hoursChosen));
  }

  /** Today when the timeline shows it, else the timeline's first day. */
  #todayIfShown(): DateText {
    const today = this.screen.today();
    return this.timelineDays.includes(today) ? today : this.timelineStart;
  }

  turnPage(step: number) {
    this.pageAt = Math.max(0, this.page.first + step * this.perPage);
  }

  /** Shows the page holding the resource (a search hit, a saved appointment). */
  pageTo(resource: ResourceId) {
    const index = this.shown.findIndex((r) => r.id === resource);
    if (index >= 0 && (index < this.page.first || index >= this.page.first + this.page.count)) this.pageAt = index;
  }

  /** Whether the resource's column is on the page shown (the timeline shows every row). */
  onPage(resource: ResourceId): boolean {
    return this.isTimeline || this.columns.some((r) => r.id === resource);
  }

  /**
   * Brings a saved appointment into view (in `zone`): the timeline's span holding its start; or
   * EventCalendar's page of its resource, its date when outside the range, and (timed ones) its hour.
   */
  reveal(record: AppointmentCard, zone: string) {
    if (this.isTimeline) {
      const start = record.all_day ? record.start.slice(0, 10) : datePart(wallTimeAt(new Date(record.start), zone));
      if (!this.timelineDays.includes(start)) this.timelineStart = spanStart(this.zoom.span, start);
      return;
    }
    this.pageTo(record.resource_id);
    const target = revealTarget(record, zone, this.#visibleRange);
    if (target.gotoDate) this.screen.calendar()?.gotoDate(target.gotoDate);
    // Changing scrollTime scrolls the grid; alternate the seconds so an equal time scrolls again.
    if (target.scrollTime) this.screen.options().scrollTime = `${target.scrollTime}:0${++this.#scrollNudge % 2}`;
  }

  toggleResource(id: ResourceId, visible: boolean) {
    const next = new Set(this.hidden);
    if (visible) next.delete(id);
    else next.add(id);
    this.setHidden(next);
  }

  /** The filter: these resources hidden, remembered, the range asked for again. */
  setHidden(next: Set<ResourceId>) {
    this.hidden = next;
    this.screen.storage?.setItem(HIDDEN_KEY, JSON.stringify([...next]));
    this.screen.refresh();
  }
}
