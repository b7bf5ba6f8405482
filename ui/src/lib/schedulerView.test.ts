import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import { DATE_KEY, VIEW_KEY } from './calendar';
import { HIDDEN_KEY, SchedulerView, TIMELINE } from './schedulerView.svelte';
import { testRecord } from './test-records';
import { ZOOM_KEY } from './zoom';

const resource = (id: number): Resource => ({
  id,
  name: `Room ${id}`,
  email: null,
  kind: 'room',
  colour: '#1f6fb2',
  hours: { start: '07:00', end: '16:00' },
  archived: false,
});

/** Wednesday. */
const TODAY = '2026-11-25';

/**
 * A view on `count` resources with a fake EventCalendar, options object and storage (`stored`
 * is what was remembered); the calls to EventCalendar and refreshes are recorded in order.
 */
function fixture(stored: Record<string, string> = {}, count = 3) {
  const calls: string[] = [];
  const storage = new Map(Object.entries(stored));
  const options: { view?: string; date?: unknown; scrollTime?: unknown } = {};
  const resources = Array.from({ length: count }, (_, i) => resource(i + 1));
  const view = new SchedulerView({
    resources: () => resources,
    today: () => TODAY,
    calendar: () => ({
      prev: () => calls.push('prev'),
      next: () => calls.push('next'),
      gotoDate: (d) => calls.push(`goto ${d instanceof Date ? 'today' : d}`),
    }),
    options: () => options,
    refresh: () => calls.push('refresh'),
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
  });
  return { view, calls, storage, options };
}

const zoom = (span: string) => JSON.stringify({ span, first: 7, last: 19, step: 0 });

describe('what the Scheduler shows first', () => {
  it('starts on the view, date, zoom and filter remembered', () => {
    const { view } = fixture({
      [VIEW_KEY]: TIMELINE,
      [DATE_KEY]: JSON.stringify({ date: '2026-12-03', on: TODAY }),
      [ZOOM_KEY]: zoom('week'),
      [HIDDEN_KEY]: '[2]',
    });
    expect(view.view).toBe(TIMELINE);
    expect(view.isTimeline).toBe(true);
    expect(view.initialDate).toBe('2026-12-03');
    expect(view.timelineStart, "the week holding the remembered date, from its Monday").toBe('2026-11-30');
    expect(view.shown.map((r) => r.id), 'a hidden resource stays hidden').toEqual([1, 3]);
  });

  it("a date left on another day is forgotten: today's span is shown", () => {
    const { view } = fixture({ [DATE_KEY]: JSON.stringify({ date: '2026-12-03', on: '2026-11-24' }), [ZOOM_KEY]: zoom('day') });
    expect(view.initialDate).toBe(TODAY);
    expect(view.timelineStart).toBe(TODAY);
  });

  it('remembers the date shown together with today', () => {
    const { view, storage } = fixture({ [VIEW_KEY]: TIMELINE, [ZOOM_KEY]: zoom('day') });
    view.next();
    view.rememberDate();
    expect(JSON.parse(storage.get(DATE_KEY) ?? '')).toEqual({ date: '2026-11-26', on: TODAY });
  });
});

describe('changing the view', () => {
  it('to the timeline: the span holding the first day EventCalendar showed', () => {
    const { view, storage, options } = fixture({ [VIEW_KEY]: 'resourceTimeGridDay' });
    view.datesShown({ range: { start: '2026-12-10T00:00:00', end: '2026-12-11T00:00:00' }, view: 'resourceTimeGridDay', date: '2026-12-10', title: '10 Dec' });
    view.changeView(TIMELINE);
    expect(view.timelineStart).toBe('2026-12-07');
    expect(view.timelineDays).toHaveLength(7);
    expect([options.view, options.date], "EventCalendar's date is left as it was").toEqual([TIMELINE, undefined]);
    expect(storage.get(VIEW_KEY)).toBe(TIMELINE);
  });

  it('back from a timeline showing today: EventCalendar on today', () => {
    const { view, options } = fixture({ [VIEW_KEY]: TIMELINE });
    view.changeView('resourceTimeGridWeek');
    expect(options).toEqual({ date: TODAY, view: 'resourceTimeGridWeek' });
    expect(view.isTimeline).toBe(false);
  });

  it('back from a timeline on another week: EventCalendar on its first day', () => {
    const { view, options } = fixture({ [VIEW_KEY]: TIMELINE });
    view.next();
    view.changeView('resourceTimeGridDay');
    expect(options.date).toBe('2026-11-30');
  });

  it('the same view again changes nothing', () => {
    const { view, options } = fixture({ [VIEW_KEY]: TIMELINE });
    view.changeView(TIMELINE);
    expect(options, "EventCalendar's options are not touched").toEqual({});
  });
});

describe('dates', () => {
  it('Previous, Next and Today step the timeline by its span', () => {
    const { view, calls } = fixture({ [VIEW_KEY]: TIMELINE, [ZOOM_KEY]: zoom('month') });
    expect(view.timelineStart).toBe('2026-11-01');
    view.next();
    expect(view.timelineStart).toBe('2026-12-01');
    view.prev();
    view.prev();
    expect(view.timelineStart).toBe('2026-10-01');
    view.today();
    expect(view.timelineStart).toBe('2026-11-01');
    view.gotoDate('2027-02-14');
    expect(view.timelineStart).toBe('2027-02-01');
    expect(calls, 'EventCalendar is not asked while the timeline is shown').toEqual([]);
  });

  it("in EventCalendar's views they are EventCalendar's", () => {
    const { view, calls } = fixture({ [VIEW_KEY]: 'resourceTimeGridWeek' });
    view.prev();
    view.next();
    view.today();
    view.gotoDate('2027-02-14');
    expect(calls).toEqual(['prev', 'next', 'goto today', 'goto 2027-02-14']);
  });

  it("shows EventCalendar's title, or the timeline's span", () => {
    const { view } = fixture({ [VIEW_KEY]: 'resourceTimeGridDay' });
    view.datesShown({ range: { start: `${TODAY}T00:00:00`, end: '2026-11-26T00:00:00' }, view: 'resourceTimeGridDay', date: TODAY, title: 'Wed 25 Nov' });
    expect([view.shownTitle, view.pickerDate]).toEqual(['Wed 25 Nov', TODAY]);
    view.changeView(TIMELINE);
    // The timeline's span as lib/format writes a range (Intl: thin spaces around the dash).
    expect([view.shownTitle, view.pickerDate]).toEqual(['23\u2009–\u200929 Nov 2026', '2026-11-23']);
  });

  it('a new span starts on today when the timeline shows it, else on its first day; the zoom is remembered', () => {
    const { view, storage } = fixture({ [VIEW_KEY]: TIMELINE });
    view.changeZoom({ span: 'day', first: 7, last: 19, step: 0 });
    expect(view.timelineStart).toBe(TODAY);
    view.next();
    view.next();
    view.changeZoom({ span: 'week', first: 7, last: 19, step: 0 });
    expect(view.timelineStart, 'the week of the day shown').toBe('2026-11-23');
    view.changeZoom({ span: 'week', first: 8, last: 18, step: 2 });
    expect(view.timelineStart, 'hours and steps keep the dates').toBe('2026-11-23');
    expect(JSON.parse(storage.get(ZOOM_KEY) ?? '')).toEqual({ span: 'week', first: 8, last: 18, step: 2 });
  });
});

describe('the timeline’s hours: the working day’s unless the planner chose', () => {
  it('shows the resources’ working day and keeps it across span changes until hours are chosen', () => {
    const { view, storage } = fixture({ [VIEW_KEY]: TIMELINE });
    expect([view.zoom.first, view.zoom.last], 'the rooms work 07:00–16:00').toEqual([7, 16]);
    view.changeZoom({ ...view.zoom, span: 'day' });
    expect(JSON.parse(storage.get(ZOOM_KEY) ?? ''), 'a span change remembers no hours').toEqual({ span: 'day', step: 0 });
    view.changeZoom({ ...view.zoom, first: 6, last: 20 });
    expect(JSON.parse(storage.get(ZOOM_KEY) ?? ''), 'hours chosen on the zoom bar are the planner’s').toEqual({
      span: 'day',
      first: 6,
      last: 20,
      step: 0,
    });
    expect([fixture({ [ZOOM_KEY]: storage.get(ZOOM_KEY) ?? '' }).view.zoom.first], 'and stay so').toEqual([6]);
  });

  it('remembered hours win over the working day', () => {
    const { view } = fixture({ [ZOOM_KEY]: zoom('week') });
    expect([view.zoom.first, view.zoom.last]).toEqual([7, 19]);
  });
});

describe('resources: the filter and the pages', () => {
  it('hiding a resource remembers it and asks for the range again', () => {
    const { view, calls, storage } = fixture();
    view.toggleResource(2, false);
    expect(view.shown.map((r) => r.id)).toEqual([1, 3]);
    expect(storage.get(HIDDEN_KEY)).toBe('[2]');
    view.toggleResource(2, true);
    expect(view.shown.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(calls).toEqual(['refresh', 'refresh']);
  });

  it('the Day view pages many resources by the width; the timeline shows every row', () => {
    const { view } = fixture({ [VIEW_KEY]: 'resourceTimeGridDay' }, 30);
    view.calendarWidth = 24 + 60 + 10 * 120;
    expect([view.perPage, view.page.first, view.columns.length]).toEqual([10, 0, 10]);
    view.turnPage(1);
    expect(view.columns[0].id).toBe(11);
    view.turnPage(-1);
    expect(view.page.first).toBe(0);
    expect(view.onPage(25)).toBe(false);
    view.pageTo(25);
    expect(view.page.first, 'the page holding resource 25').toBe(20);
    view.pageTo(22);
    expect(view.page.first, 'a resource on the page shown keeps it').toBe(20);
    view.changeView(TIMELINE);
    expect(view.onPage(1)).toBe(true);
    expect(view.columns).toHaveLength(30);
  });
});

describe('bringing a saved appointment into view', () => {
  /** 09:00–10:00 Berlin on Friday 4 Dec, resource 25. */
  const saved = testRecord({ resource_id: 25, start: '2026-12-04T09:00:00+01:00', end: '2026-12-04T10:00:00+01:00' });

  it("in EventCalendar: its resource's page, its date when outside the range, an hour before it", () => {
    const { view, calls, options } = fixture({ [VIEW_KEY]: 'resourceTimeGridDay' }, 30);
    view.calendarWidth = 24 + 60 + 10 * 120;
    view.datesShown({ range: { start: `${TODAY}T00:00:00`, end: '2026-11-26T00:00:00' }, view: 'resourceTimeGridDay', date: TODAY, title: '' });
    view.reveal(saved, 'Europe/Berlin');
    expect(view.page.first, 'the page holding resource 25').toBe(20);
    expect(calls).toEqual(['goto 2026-12-04']);
    expect(options.scrollTime).toBe('08:00:01');
    view.reveal(saved, 'Europe/Berlin');
    expect(options.scrollTime, 'the same hour again still scrolls: the seconds alternate').toBe('08:00:00');
  });

  it('in EventCalendar, within the range: no date change', () => {
    const { view, calls } = fixture({ [VIEW_KEY]: 'resourceTimeGridWeek' });
    view.datesShown({ range: { start: '2026-11-30T00:00:00', end: '2026-12-07T00:00:00' }, view: 'resourceTimeGridWeek', date: '2026-11-30', title: '' });
    view.reveal(saved, 'Europe/Berlin');
    expect(calls).toEqual([]);
  });

  it("on the timeline: the span holding its start in the planner's zone", () => {
    const { view, calls } = fixture({ [VIEW_KEY]: TIMELINE });
    view.reveal(saved, 'Europe/Berlin');
    expect(view.timelineStart).toBe('2026-11-30');
    view.reveal(testRecord({ start: '2026-12-06T23:30:00Z', end: '2026-12-07T00:30:00Z' }), 'Europe/Berlin');
    expect(view.timelineStart, 'late Sunday UTC is Monday in Berlin: the next week').toBe('2026-12-07');
    expect(calls, 'EventCalendar is not asked').toEqual([]);
  });
});
