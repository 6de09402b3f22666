import { describe, expect, it } from 'vitest';
import { retryDelayMs, serverRetryDelayMs } from './retry-delay.js';

describe('retry delays', () => {
  it('reads retry-after-ms, Retry-After in seconds, and Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(serverRetryDelayMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(serverRetryDelayMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(serverRetryDelayMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(
      3000,
    );
    expect(serverRetryDelayMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(serverRetryDelayMs(new Headers(), now)).toBeNull();
  });

  it('doubles the delay per attempt with jitter, prefers the server delay, and caps both', () => {
    expect(retryDelayMs(0, 100, 10_000, null, () => 0)).toBe(50);
    expect(retryDelayMs(3, 100, 10_000, null, () => 1)).toBe(800);
    expect(retryDelayMs(20, 100, 10_000, null, () => 1)).toBe(10_000);
    expect(retryDelayMs(0, 100, 10_000, 1234)).toBe(1234);
    expect(retryDelayMs(0, 100, 10_000, 99_999)).toBe(10_000);
  });
});
