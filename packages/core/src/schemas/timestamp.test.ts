import { describe, expect, it } from 'vitest';
import { pastTimestampSchema, timestampSchema, zonedTimestampSchema } from './timestamp.js';

describe('timestamps', () => {
  it('are stored as ISO-8601 UTC with milliseconds, so text order is time order', () => {
    const times = [
      '2026-01-02T03:04:05+01:00',
      new Date('0001-01-01T00:00:00Z'),
      '0000-01-01T00:00:00Z',
      '2023-05-20T00:59:00Z',
    ];
    const stored = times.map((time) => timestampSchema.parse(time));
    expect(stored).toEqual([
      '2026-01-02T02:04:05.000Z',
      '0001-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2023-05-20T00:59:00.000Z',
    ]);
    expect([...stored].sort()).toEqual([stored[2], stored[1], stored[3], stored[0]]);
  });

  it('refuse a date whose year needs a sign (it would sort out of time order)', () => {
    for (const date of [new Date(Date.UTC(10_000, 0, 1)), new Date(Date.UTC(-1, 0, 1))]) {
      const result = timestampSchema.safeParse(date);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must lie between the years 0000 and 9999');
    }
    expect(timestampSchema.safeParse('not a date').success).toBe(false);
  });

  it('of something that happened are not in the future, give or take a clock a little fast', () => {
    expect(pastTimestampSchema.safeParse(new Date(Date.now() + 60_000)).success).toBe(true);
    const tomorrow = pastTimestampSchema.safeParse(new Date(Date.now() + 86_400_000));
    expect(tomorrow.error?.issues[0]?.message).toBe('must not be in the future');
  });

  it('say what a time needs when one is refused: a time without a zone is no instant', () => {
    for (const time of ['2024-03-03T06:00:00', '2024-03-03', '2023-02-29T00:00:00Z']) {
      const result = timestampSchema.safeParse(time);
      expect(result.error?.issues[0]?.message, time).toMatch(
        /^must be a valid ISO-8601 date and time with a zone/,
      );
    }
  });

  it('of a question keep the zone they were asked in, checked as any other', () => {
    // Parsed by the server, then by the engine: the zone must survive both.
    const asked = '2024-04-01T09:00:00+14:00';
    expect(zonedTimestampSchema.parse(zonedTimestampSchema.parse(asked))).toBe(asked);
    expect(zonedTimestampSchema.parse(new Date('2024-04-01T09:00:00Z'))).toBe('2024-04-01T09:00:00.000Z');
    expect(zonedTimestampSchema.safeParse('2024-04-01T09:00:00').success).toBe(false);
    expect(zonedTimestampSchema.safeParse(new Date(Date.UTC(10_000, 0, 1))).success).toBe(false);
  });
});
