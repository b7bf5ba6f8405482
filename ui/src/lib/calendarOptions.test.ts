import type { Calendar } from '@event-calendar/core';
import { describe, expect, it } from 'vitest';
import type { PickedSlot } from './calendar';
import { calendarOptions, DOUBLE_CLICK_MS, type CalendarHooks, type DatesShown } from './calendarOptions';

/** Options built with hooks that record what the Scheduler was asked to do. */
function built(zone = 'Europe/Amsterdam', now = new Date('2026-11-25T12:00:00Z')) {
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
    { view: 'resourceTimeGridWeek', zone, now, resources: [{ id: '1', title: 'Ada' }], clock: () => ms },
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
    ['24-hour times', 'eventTimeFormat', { hour: '2-digit', minute: '2-digit', hour12: false }],
  ] as const)('%s', (_why, name, value) => {
    expect(built().options[name]).toEqual(value);
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
      view: { currentStart: new Date(2026, 10, 23), title: '23 – 29 Nov 2026', type: 'resourceTimeGridWeek' },
    });
    expect(calls.shown).toEqual([
      {
        range: { start: '2026-11-23T00:00:00', end: '2026-11-30T00:00:00' },
        date: '2026-11-23',
        title: '23 – 29 Nov 2026',
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
