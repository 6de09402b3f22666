import { describe, expect, it } from 'vitest';
import { contentWords, textMatch } from './text-match.js';

const payment =
  'book_reservation: Error: payment amount does not add up, total price is <n>, but paid <n> → calculate → book_reservation';

describe('textMatch', () => {
  it('scores the same error high and another error low, on a fixed scale', () => {
    expect(
      textMatch('Error: payment amount does not add up, total price is 305, but paid 255', payment),
    ).toBeGreaterThan(0.7);
    expect(textMatch('Error: gift card balance is not enough', payment)).toBeLessThan(0.35);
  });

  it('finds the line that states the error in a long output', () => {
    const traceback = [
      '<returncode>1</returncode>',
      ...Array.from({ length: 50 }, (_, i) => `  File "/testbed/django/x${i}.py", line ${i}, in run`),
      'sqlite3.OperationalError: no such table: auth_user',
    ].join('\n');
    expect(
      textMatch(traceback, 'python: sqlite3.OperationalError: no such table: <name> → python'),
    ).toBeGreaterThan(0.7);
  });

  it('finds the error on the last line of a traceback hundreds of frames long', () => {
    const frames = Array.from(
      { length: 1000 },
      (_, i) => `  File "/testbed/pkg_${i}/handler_${i}.py", in run`,
    );
    const traceback = [...frames, "ModuleNotFoundError: No module named 'requests'"].join('\n');
    expect(textMatch(traceback, 'python: ModuleNotFoundError: No module named <str> → pip')).toBeGreaterThan(
      0.7,
    );
  });

  it('keeps a long task text that shares a word or two with a pattern low', () => {
    const issue =
      'Running pytest on the project with --timeout makes the whole suite slow; the fixture setup is repeated for every test and the output gets out of hand when run in CI.';
    expect(textMatch(issue, 'pytest: The last command timed out and has been killed. → pytest')).toBeLessThan(
      0.3,
    );
  });

  it('reads words, not numbers, placeholders or stop words', () => {
    expect([...contentWords('Error: flight <id> not on the 2024 list of HAT030')]).toEqual([
      'error',
      'flight',
      'not',
      'list',
      'hat030',
    ]);
    expect(textMatch('', payment)).toBe(0);
  });

  it('reads an accented word typed decomposed as the same word', () => {
    const error = 'Fehler: Größenüberschreitung beim Hochladen von Übersetzung';
    expect([...contentWords(error.normalize('NFD'))]).toEqual([...contentWords(error)]);
    const pattern = 'upload: Lỗi: không thể kết nối → upload';
    expect(textMatch('Lỗi: không thể kết nối'.normalize('NFD'), pattern.normalize('NFC'))).toBeGreaterThan(
      0.7,
    );
    expect(textMatch('Lỗi: không thể kết nối'.normalize('NFC'), pattern.normalize('NFD'))).toBeGreaterThan(
      0.7,
    );
  });
});
