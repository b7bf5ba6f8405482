import type { Calendar } from '@event-calendar/core';
import { describe, expect, it } from 'vitest';
import type { PickedSlot } from './calendar';
import { calendarOptions, DOUBLE_CLICK_MS, viewTitle, type CalendarHooks, type DatesShown } from './calendarOptions';
import type { Format } from './format';

const GB: Format = { locale: 'en-GB', hour12: false };
const US: Format = { locale: 'en-US', hour12: true };

/** Options built with hooks that record what the Scheduler was asked to do. */
function built(zone = 'Europe/Amsterdam', now = new Date('2026-11-25T12:00:00Z'), format: Format = GB) {
  const calls: { opened: string[]; created: PickedSlot[]; moved: unknown[][]; shown: DatesShown[] } = {
    opened: [],
    created: [],
    moved: [],
    shown: [],
  };
  let ms = 1_000_000;
  const hooks: CalendarHooks = {
    events: async () => [],
    loading: () => {},
    datesShown: (dates) => calls.shown.push(dates),
    content: () => '',
    drawn: () => {},
    open: (id) => calls.opened.push(id),
    create: (slot) => calls.created.push(slot),
    moved: (...args) => calls.moved.push(args),
  };
  const options = calendarOptions(
    { view: 'resourceTimeGridWeek', zone, now, resources: [{ id: '1', title: 'Ada' }], clock: () => ms, format },
    hooks,
  );
  return { options, hooks, calls, wait: (step: number) => (ms += step) };
}

// EventCalendar's callbacks, called as it calls them (only the fields the Scheduler reads).
type Fn = (info: unknown) => void;
const call = (options: Calendar.Options, name: keyof Calendar.Options, info: unknown) => (options[name] as Fn)(info);

describe('EventCalendar’s options: the grid', () => {
  it.each([
    ['the view asked for', 'view', 'resourceTimeGridWeek'],
    ['weeks start on Monday', 'firstDay', 1],
    ['half-hour rows', 'slotDuration', '00:30'],
    ['07:00–20:00, wider when an appointment lies outside', 'slotMinTime', '07:00'],
    ['…to 20:00', 'slotMaxTime', '20:00'],
    ['…widened, never hiding appointments', 'flexibleSlotTimeLimits', true],
    ['opened at 08:00', 'scrollTime', '08:00'],
    ['32px a half hour: a 15-minute card has a line of title', 'slotHeight', 32],
    ['a card is dragged, resized and a range selected', 'editable', true],
    ['…selectable', 'selectable', true],
    ['every range is asked for again (the Scheduler keeps its own cache)', 'lazyFetching', false],
    ['a page shows only its resources’ cards', 'filterEventsWithResources', true],
    ['no toolbar of EventCalendar’s (the Scheduler has its own)', 'headerToolbar', { start: '', center: '', end: '' }],
  ] as const)('%s', (_why, name, value) => {
    expect(built().options[name]).toEqual(value);
  });

  it('writes times and day heads in the window’s format', () => {
    const at = (h: number, m: number) => new Date(2026, 10, 25, h, m);
    type Range = (start: Date, end?: Date | null) => string;
    const gb = built().options;
    expect(gb.locale, 'day heads follow the language').toBe('en-GB');
    expect((gb.eventTimeFormat as Range)(at(8, 30), at(9, 0)), 'a card’s time, 24-hour').toBe('08:30–09:00');
    expect((gb.slotLabelFormat as Range)(at(13, 0)), 'the time axis').toBe('13:00');
    const us = built('Europe/Amsterdam', new Date('2026-11-25T12:00:00Z'), US).options;
    expect(us.locale).toBe('en-US');
    expect((us.eventTimeFormat as Range)(at(11, 30), at(12, 30)), 'AM and PM at both ends').toBe('11:30 AM – 12:30 PM');
    expect((us.slotLabelFormat as Range)(at(13, 0))).toBe('1:00 PM');
  });

  it.each([
    ['resourceTimeGridDay', '2026-12-07', '2026-12-08', '7 Dec 2026', 'the Day view: the date as the date field writes it'],
    ['resourceTimeGridWeek', '2026-12-07', '2026-12-14', '7\u2009–\u200913 Dec 2026', 'a week: one range'],
    ['dayGridMonth', '2026-11-30', '2027-01-11', 'December 2026', 'the month: the month of its grid'],
  ])('the %s title of %s to %s is %j (%s)', (view, start, end, want, _why) => {
    expect(viewTitle(view, start, end, GB)).toBe(JSON.parse(`"${want}"`));
  });

  it('is given the display zone as its offset now, UTC as UTC', () => {
    expect(built('Europe/Amsterdam', new Date('2026-11-25T12:00:00Z')).options.timeZone, 'winter time').toBe('+01:00');
    expect(built('Europe/Amsterdam', new Date('2026-07-01T12:00:00Z')).options.timeZone, 'summer time').toBe('+02:00');
    expect(built('UTC').options.timeZone).toBe('UTC');
  });

  it('draws the resources given and loads cards through the Scheduler', () => {
    const { options, hooks } = built();
    expect(options.resources).toEqual([{ id: '1', title: 'Ada' }]);
    expect(options.eventSources).toEqual([{ events: hooks.events }]);
  });
});

describe('EventCalendar’s options: what its callbacks ask of the Scheduler', () => {
  it('a clicked card opens by its id as text', () => {
    const { options, calls } = built();
    call(options, 'eventClick', { event: { id: 42 } });
    expect(calls.opened).toEqual(['42']);
  });

  it('a double click on one slot plans a half hour there; a single click or two slots do not', () => {
    const { options, calls, wait } = built();
    const click = (dateStr: string, resource = '1') => call(options, 'dateClick', { dateStr, allDay: false, resource: { id: resource } });
    click('2026-11-25T09:30:00');
    expect(calls.created, 'one click plans nothing').toEqual([]);
    wait(DOUBLE_CLICK_MS - 50);
    click('2026-11-25T09:30:00');
    expect(calls.created).toEqual([{ resourceId: 1, allDay: false, start: '2026-11-25T09:30:00', end: '2026-11-25T10:00:00' }]);
    click('2026-11-25T11:00:00');
    wait(10);
    click('2026-11-25T11:00:00', '2');
    expect(calls.created, 'the same time of another resource is another slot').toHaveLength(1);
    wait(DOUBLE_CLICK_MS + 1);
    click('2026-11-25T11:00:00', '2');
    expect(calls.created, 'too slow for a double click').toHaveLength(1);
  });

  it('a selected range plans exactly that range', () => {
    const { options, calls } = built();
    call(options, 'select', { startStr: '2026-11-25T09:00:00', endStr: '2026-11-25T11:30:00', allDay: false, resource: { id: '2' } });
    expect(calls.created).toEqual([{ resourceId: 2, allDay: false, start: '2026-11-25T09:00:00', end: '2026-11-25T11:30:00' }]);
  });

  it('a dropped card is moved, to the new resource if it changed; a resized one keeps its resource', () => {
    const { options, calls } = built();
    const event = { id: 'a1' };
    const revert = () => {};
    call(options, 'eventDrop', { event, revert, newResource: { id: '3' } });
    call(options, 'eventResize', { event, revert });
    expect(calls.moved).toEqual([
      [event, revert, { id: '3' }],
      [event, revert],
    ]);
  });

  it('the dates shown are passed on with the first day as a date', () => {
    const { options, calls } = built();
    call(options, 'datesSet', {
      startStr: '2026-11-23T00:00:00',
      endStr: '2026-11-30T00:00:00',
      view: { currentStart: new Date(2026, 10, 23), currentEnd: new Date(2026, 10, 30), title: 'EventCalendar’s own', type: 'resourceTimeGridWeek' },
    });
    expect(calls.shown).toEqual([
      {
        range: { start: '2026-11-23T00:00:00', end: '2026-11-30T00:00:00' },
        date: '2026-11-23',
        title: '23\u2009–\u200929 Nov 2026',
        view: 'resourceTimeGridWeek',
      },
    ]);
  });
});

describe('EventCalendar’s options: the resources’ working hours', () => {
  it('opens at the scroll time given (the earliest working start)', () => {
    const hooks = built().hooks;
    const options = calendarOptions({ view: 'resourceTimeGridDay', zone: 'UTC', now: new Date(), resources: [], scrollTime: '06:30' }, hooks);
    expect(options.scrollTime).toBe('06:30');
  });

  it('loads the shading of non-working time as a second source, which is never a card', () => {
    const { hooks, calls } = built();
    const nonWorking = async () => [];
    const options = calendarOptions({ view: 'resourceTimeGridWeek', zone: 'UTC', now: new Date(), resources: [] }, { ...hooks, nonWorking });
    expect(options.eventSources).toEqual([{ events: hooks.events }, { events: nonWorking }]);
    const shading = { id: 'non-working-1-2026-12-07-after', display: 'background' };
    call(options, 'eventClick', { event: shading });
    expect(calls.opened, 'a click on the shading opens nothing').toEqual([]);
    expect((options.eventContent as Fn)({ event: shading }), 'the shading draws no card').toBe('');
  });
});
