import { describe, expect, it } from 'vitest';
import { transientError } from './transient-error.js';

describe('transientError', () => {
  it.each([
    ['HTTP 429 Too Many Requests', 'rate_limited'],
    ['Error: quota exceeded for this minute', 'rate_limited'],
    ['request to https://x failed, reason: connect ETIMEDOUT 10.0.0.1:443', 'timeout'],
    ['504 Gateway Timeout', 'timeout'],
    ['503 Service Unavailable', 'unavailable'],
    ['Error: read ECONNRESET', 'unavailable'],
    ['SQLITE_BUSY: database is locked', 'busy'],
    ['SyntaxError: Unexpected token }', null],
    [null, null],
  ])('%s → %s', (result, kind) => {
    expect(transientError(result)).toBe(kind);
  });

  it('reads only the head of a huge output', () => {
    expect(transientError(`${'x'.repeat(5000)} 429`)).toBeNull();
  });
});
