import { describe, expect, it } from 'vitest';
import { errorKinds } from './__fixtures__/error-kinds.js';
import { errorSignature } from './error-signature.js';

describe('errorSignature', () => {
  const kinds = Object.entries(errorKinds);

  it(`gives each of ${kinds.length} kinds of real error one signature`, () => {
    const messages = kinds.flatMap(([, errors]) => errors);
    expect(messages.length).toBeGreaterThanOrEqual(40);
    for (const [kind, errors] of kinds) {
      const signatures = new Set(errors.map((error) => errorSignature(error)));
      expect([kind, [...signatures]]).toEqual([kind, [errorSignature(errors[0] as string)]]);
    }
  });

  it('gives different kinds different signatures', () => {
    const byKind = new Map<string, string>();
    for (const [kind, errors] of kinds) {
      const signature = errorSignature(errors[0] as string);
      expect([kind, byKind.get(signature)]).toEqual([kind, undefined]);
      byKind.set(signature, kind);
    }
  });

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
      "Could not find [government's chief scientific adviser]. Similar: ['Chief Scientific Adviser to the UK Government'].",
      'Could not find <name>. Similar: <list>.',
    ],
    [
      '<returncode>1</returncode>\n<output>\nWarning: x\nTraceback (most recent call last):\n  File "a.py", line 3\nKeyError: \'user\'\n</output>',
      'KeyError: <str>',
    ],
    [
      'sqlite3.OperationalError: no such table: __main___book',
      'sqlite3.OperationalError: no such table: <name>',
    ],
    ['ERROR:\nInvalid `view_range` parameter: [1, 500].', 'ERROR: Invalid <str> parameter: <list>.'],
    ['<returncode>1</returncode>\n<output>\n</output>', '(no output, exit code 1)'],
    ['bash: line 1: pytest: command not found', 'bash: line <n>: <name>: command not found'],
    [
      "src/a.ts(12,5): error TS2345: Argument of type 'string'",
      '<path>(<n>): error TS2345: Argument of type <str>',
    ],
    [
      '{"error": {"code": 404, "message": "Repository octo/abc not found"}}',
      '<n> Repository <path> not found',
    ],
    [
      'TimeoutError at 2026-01-02T03:04:05.123Z after 30000 ms (request 0b1e7a9c-2f4d-4e8a-9c1b-5d6e7f8a9b0c)',
      'TimeoutError at <time> after <n> ms (request <uuid>)',
    ],
    ['commit 3f9a2b1c not found; pointer 0x7ffee4b2', 'commit <hash> not found; pointer <hex>'],
    [
      'GET https://api.example.com/users?id=7 failed for bob@example.com at 10:32:01',
      'GET <url> failed for <email> at <time>',
    ],
    ['ReferenceError: fetchUser is not defined', 'ReferenceError: <name> is not defined'],
    ['TypeError: res.json is not a function', 'TypeError: <name> is not a function'],
    [
      'Error: listen EADDRINUSE: address already in use :::3000',
      'Error: listen EADDRINUSE: address already in use <addr>',
    ],
    [
      'ERROR: Could not find a version that satisfies the requirement torch==1.0.0 (from versions: none)',
      'ERROR: Could not find a version that satisfies the requirement <req> (from versions: none)',
    ],
    [
      'urllib.error.HTTPError: HTTP Error 501: Not Implemented',
      'urllib.error.HTTPError: HTTP Error 501: Not Implemented',
    ],
    [
      'requests.exceptions.HTTPError: 406 Client Error: Not Acceptable for url: https://api.example.com/a',
      'requests.exceptions.HTTPError: 406 Client Error: Not Acceptable for url: <url>',
    ],
    // Before npm 10 the code heads the error as `npm ERR!`, the line that follows names the package.
    [
      'npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/lodashh - Not found',
      'npm ERR! code E404',
    ],
    [
      'npm ERR! code E403\nnpm ERR! 403 403 Forbidden - GET https://registry.npmjs.org/left-pad',
      'npm ERR! code E403',
    ],
    [
      'FAILED tests/test_x.py::TestA::test_b[1] - AssertionError',
      'FAILED <path>::<test>::<test> - AssertionError',
    ],
  ])('%s', (text, signature) => {
    expect(errorSignature(text)).toBe(signature);
  });

  it('bounds the signature and names an empty message', () => {
    expect(errorSignature('x'.repeat(1000), 50)).toHaveLength(50);
    expect(errorSignature('   \n ')).toBe('(no message)');
  });
});
