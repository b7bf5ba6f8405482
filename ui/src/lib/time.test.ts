import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMinutesToWall,
  formatOffset,
  instantOfWallTime,
  offsetMinutesAt,
  toRfc3339Utc,
  wallTimeAt,
  wallTimeOfLocalDate,
} from './time';

describe('wallTimeAt', () => {
  it('shows an instant in the zone, following summer time', () => {
    expect(wallTimeAt(new Date('2026-07-01T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T09:00:00');
    expect(wallTimeAt(new Date('2026-12-01T08:00:00Z'), 'Europe/Berlin')).toBe('2026-12-01T09:00:00');
    expect(wallTimeAt(new Date('2026-11-25T08:00:00Z'), 'America/New_York')).toBe('2026-11-25T03:00:00');
  });

  it('prints midnight as 00, not 24', () => {
    expect(wallTimeAt(new Date('2026-11-24T23:00:00Z'), 'Europe/Berlin')).toBe('2026-11-25T00:00:00');
  });

  it('agrees with the platform minute by minute across summer time changes, half and quarter hour zones', () => {
    const cases: [string, string][] = [
      ['Europe/Berlin', '2026-03-29T00:00:00Z'],
      ['Europe/Berlin', '2026-10-25T00:00:00Z'],
      ['America/New_York', '2026-11-01T05:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'],
      ['Asia/Kathmandu', '2026-06-01T00:00:00Z'],
    ];
    for (const [zone, from] of cases) {
      const direct = new Intl.DateTimeFormat('sv-SE', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
      for (let minute = 0; minute < 4 * 60; minute += 1) {
        const instant = new Date(Date.parse(from) + minute * 60000 + 17000);
        expect(wallTimeAt(instant, zone), `${zone} ${instant.toISOString()}`).toBe(direct.format(instant).replace(' ', 'T'));
      }
    }
  });
});

describe('instantOfWallTime', () => {
  it('is the inverse of wallTimeAt on ordinary days', () => {
    expect(instantOfWallTime('2026-07-01T09:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(instantOfWallTime('2026-12-01T09:00:00', 'Europe/Berlin').toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(instantOfWallTime('2026-11-25', 'Asia/Kolkata').toISOString()).toBe('2026-11-24T18:30:00.000Z');
  });

  it('reads midnight on the day summer time starts with the winter offset', () => {
    // Berlin switches at 02:00 local on 2026-03-29; midnight is still CET (+01:00).
    expect(instantOfWallTime('2026-03-29T00:00', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(instantOfWallTime('2026-03-30T00:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('lands after the gap for a skipped wall time', () => {
    const t = instantOfWallTime('2026-03-29T02:30', 'Europe/Berlin');
    expect(wallTimeAt(t, 'Europe/Berlin')).toBe('2026-03-29T03:30:00');
  });

  it('takes the first pass through a repeated wall time', () => {
    // Berlin goes back from 03:00 CEST to 02:00 CET on 2026-10-25: 02:30 happens twice.
    expect(instantOfWallTime('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(instantOfWallTime('2026-10-25T03:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });
});

describe('offsets', () => {
  it('measures the zone offset at an instant', () => {
    expect(offsetMinutesAt(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(offsetMinutesAt(new Date('2026-01-01T12:00:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutesAt(new Date('2026-01-01T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('formats offsets as ±HH:MM', () => {
    expect(formatOffset(120)).toBe('+02:00');
    expect(formatOffset(-300)).toBe('-05:00');
    expect(formatOffset(330)).toBe('+05:30');
    expect(formatOffset(0)).toBe('+00:00');
  });
});

describe('date arithmetic', () => {
  it('adds days across month and year ends', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds minutes on the clock face', () => {
    expect(addMinutesToWall('2026-11-25T23:30', 45)).toBe('2026-11-26T00:15:00');
  });

  it('prints RFC 3339 in UTC without fractions', () => {
    expect(toRfc3339Utc(new Date('2026-11-25T08:00:00.123Z'))).toBe('2026-11-25T08:00:00Z');
  });

  it('reads the local fields of a Date as wall time', () => {
    expect(wallTimeOfLocalDate(new Date(2026, 10, 25, 9, 5, 0))).toBe('2026-11-25T09:05:00');
  });
});
