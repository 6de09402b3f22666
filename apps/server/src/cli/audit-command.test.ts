import { afterEach, describe, expect, it } from 'vitest';
import { parseTime } from './audit-command.js';

const machineZone = process.env.TZ;
afterEach(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

describe('parseTime (--before, --since, --until)', () => {
  it('reads a time without a zone as UTC, as a date alone, whatever the machine zone', () => {
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Kiritimati']) {
      process.env.TZ = zone;
      expect([zone, parseTime('2024-03-03', 'before')]).toEqual([zone, '2024-03-03T00:00:00.000Z']);
      expect([zone, parseTime('2024-03-03T00:00', 'before')]).toEqual([zone, '2024-03-03T00:00:00.000Z']);
      expect([zone, parseTime('2024-03-03 06:30:15.5', 'before')]).toEqual([
        zone,
        '2024-03-03T06:30:15.500Z',
      ]);
      expect([zone, parseTime('2024-03-03T05:30+05:30', 'before')]).toEqual([
        zone,
        '2024-03-03T00:00:00.000Z',
      ]);
    }
  });

  it('refuses what is not an ISO time or a span', () => {
    for (const text of ['Dec 5', '90', '2023-02-29', '2024-03-03T25:00'])
      expect(() => parseTime(text, 'before')).toThrow(/expected an ISO time/);
  });
});
