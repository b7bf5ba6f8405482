import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import {
  nextCard,
  rememberedHidden,
  searchAppointments,
  shownResources,
  zoneChoices,
  type CardBox,
} from './navigation';
import { testRecord } from './test-records';

const megan: Resource = { id: 1, name: 'Megan Bowen', email: null, kind: 'person', colour: '#2459c6', hours: null, archived: false };
const adele: Resource = { id: 2, name: 'Adele Vance', email: null, kind: 'person', colour: '#c239b3', hours: null, archived: false };
const room: Resource = { id: 3, name: 'Boardroom', email: null, kind: 'room', colour: '#f2c94c', hours: null, archived: false };
const byId = new Map([megan, adele, room].map((r) => [r.id, r]));

describe('resource filter', () => {
  it('keeps the given order (the planner first) and leaves out the hidden', () => {
    expect(shownResources([megan, adele, room], new Set([2])).map((r) => r.name)).toEqual(['Megan Bowen', 'Boardroom']);
    expect(shownResources([megan, adele, room], new Set())).toHaveLength(3);
  });
  it('remembers hidden resources, dropping unknown ids and nonsense', () => {
    expect([...rememberedHidden('[2, 9, "x"]', [megan, adele])]).toEqual([2]);
    expect(rememberedHidden('{not json', [megan]).size).toBe(0);
    expect(rememberedHidden('{"a":1}', [megan]).size).toBe(0);
    expect(rememberedHidden(null, [megan]).size).toBe(0);
  });
});

describe('search by subject', () => {
  const records = [
    testRecord({ title: 'Design review', resource_id: 2, start: '2026-11-25T14:00:00+01:00', end: '2026-11-25T16:00:00+01:00' }),
    testRecord({ title: 'Weekly planning', resource_id: 1, start: '2026-11-23T09:00:00+01:00', end: '2026-11-23T10:00:00+01:00' }),
    testRecord({ title: 'Café with the Design team', resource_id: 3, all_day: true, start: '2026-11-24', end: '2026-11-25', time_zone: null }),
  ];

  it('finds any case and accents, earliest first, with resource, time and day', () => {
    const hits = searchAppointments(records, '  DESIGN ', byId, 'Europe/Berlin');
    expect(hits.map((h) => h.title)).toEqual(['Café with the Design team', 'Design review']);
    expect(hits[0]).toMatchObject({ resource: 'Boardroom', when: 'Tue 24 Nov, all day', date: '2026-11-24' });
    expect(hits[1]).toMatchObject({ resource: 'Adele Vance', when: 'Wed 25 Nov, 14:00', date: '2026-11-25' });
    expect(searchAppointments(records, 'cafe', byId, 'Europe/Berlin')).toHaveLength(1);
  });

  it('reads the day in the display zone', () => {
    const late = testRecord({ title: 'Late call', start: '2026-11-25T23:30:00+01:00', end: '2026-11-26T00:00:00+01:00' });
    expect(searchAppointments([late], 'late', byId, 'Europe/Berlin')[0].date).toBe('2026-11-25');
    expect(searchAppointments([late], 'late', byId, 'Asia/Tokyo')[0]).toMatchObject({ date: '2026-11-26', when: 'Thu 26 Nov, 07:30' });
  });

  it('finds nothing for an empty query or a subject not there', () => {
    expect(searchAppointments(records, '   ', byId, 'Europe/Berlin')).toEqual([]);
    expect(searchAppointments(records, 'budget', byId, 'Europe/Berlin')).toEqual([]);
  });
});

describe('arrow keys between cards', () => {
  // Two columns 100px wide: a (9:00) and b (11:00) in the first, c (10:00) and d (12:00) in the second.
  const box = (id: string, column: number, top: number, height = 40): CardBox => ({ id, left: column * 100, top, width: 95, height });
  const cards = [box('a', 0, 100), box('b', 0, 300), box('c', 1, 200), box('d', 1, 400)];

  it('goes down and up within a column before changing column', () => {
    expect(nextCard(cards, 'a', 'ArrowDown')).toBe('b');
    expect(nextCard(cards, 'b', 'ArrowUp')).toBe('a');
    expect(nextCard(cards, 'c', 'ArrowDown')).toBe('d');
  });

  it('goes right and left to the nearest card of the next column', () => {
    expect(nextCard(cards, 'a', 'ArrowRight')).toBe('c');
    expect(nextCard(cards, 'b', 'ArrowRight')).toBe('c');
    expect(nextCard(cards, 'd', 'ArrowLeft')).toBe('b');
  });

  it('stays put at the edges, and starts at the top left card', () => {
    expect(nextCard(cards, 'a', 'ArrowUp')).toBeNull();
    expect(nextCard(cards, 'c', 'ArrowRight')).toBeNull();
    expect(nextCard(cards, null, 'ArrowDown')).toBe('a');
    expect(nextCard([], null, 'ArrowDown')).toBeNull();
  });

  it('reaches a card that overlaps the current one side by side', () => {
    const sideBySide = [{ id: 'x', left: 0, top: 100, width: 45, height: 60 }, { id: 'y', left: 50, top: 100, width: 45, height: 60 }];
    expect(nextCard(sideBySide, 'x', 'ArrowRight')).toBe('y');
    expect(nextCard(sideBySide, 'y', 'ArrowLeft')).toBe('x');
  });
});


describe('display zones', () => {
  it('offers the machine zone first, then every known zone and the current choice once', () => {
    expect(zoneChoices('Europe/Berlin', 'America/New_York', ['UTC', 'Europe/Berlin', 'Asia/Tokyo'])).toEqual([
      'Europe/Berlin',
      'America/New_York',
      'Asia/Tokyo',
      'UTC',
    ]);
    expect(zoneChoices('Europe/Berlin', 'Europe/Berlin', [])).toEqual(['Europe/Berlin']);
  });
});
