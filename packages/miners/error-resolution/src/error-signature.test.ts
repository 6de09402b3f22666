import { describe, expect, it } from 'vitest';
import { errorSignature } from './error-signature.js';

describe('errorSignature', () => {
  it.each([
    [
      'Error: payment amount does not add up, total price is 305, but paid 255',
      'Error: payment amount does not add up, total price is <n>, but paid <n>',
    ],
    [
      'Error: flight HAT030 not available on date 2024-05-13',
      'Error: flight <id> not available on date <time>',
    ],
    [
      "ENOENT: no such file or directory, open '/srv/app/src/a.ts'",
      'ENOENT: no such file or directory, open <str>',
    ],
    ['Cannot find module ./lib/util.js from src/index.ts:12:5', 'Cannot find module <path> from <path>'],
    [
      'TimeoutError at 2026-01-02T03:04:05.123Z after 30000 ms (request 0b1e7a9c-2f4d-4e8a-9c1b-5d6e7f8a9b0c)',
      'TimeoutError at <time> after <n> ms (request <uuid>)',
    ],
    ['commit 3f9a2b1c not found; pointer 0x7ffee4b2', 'commit <hash> not found; pointer <hex>'],
    [
      'GET https://api.example.com/users?id=7 failed for bob@example.com at 10:32:01',
      'GET <url> failed for <email> at <time>',
    ],
    ['Error:   spaced \t out', 'Error: spaced out'],
  ])('%s', (text, signature) => {
    expect(errorSignature(text)).toBe(signature);
  });

  it('gives two occurrences of the same error the same signature', () => {
    expect(errorSignature('Error: not enough seats on flight HAT290')).toBe(
      errorSignature('Error: not enough seats on flight HAT001'),
    );
    expect(errorSignature('expected 401 to be 200')).toBe(errorSignature('expected 500 to be 204'));
  });

  it('keeps different errors apart', () => {
    expect(errorSignature('Error: gift card balance is not enough')).not.toBe(
      errorSignature('Error: certificate balance is not enough'),
    );
  });

  it('picks the line that states the error: the last one of a traceback, the first error line otherwise', () => {
    expect(
      errorSignature('Traceback (most recent call last):\n  File "a.py", line 3\nKeyError: \'user\''),
    ).toBe('KeyError: <str>');
    expect(errorSignature('npm run build\n> tsc\nerror TS2345: Argument of type string')).toBe(
      'error <id>: Argument of type string',
    );
  });

  it('bounds the signature and names an empty message', () => {
    expect(errorSignature('x'.repeat(1000), 50)).toHaveLength(50);
    expect(errorSignature('   \n ')).toBe('(no message)');
  });
});
