import { describe, expect, it } from 'vitest';
import { collapseRepeats, parseAction, runLengths, toolName } from './canonical-actions.js';

describe('parseAction', () => {
  it.each([
    ['Search[Nick Park]', 'Search', 'Nick Park'],
    ['Lookup[the 1990s]', 'Lookup', 'the 1990s'],
    ['Finish[yes]', 'Finish', 'yes'],
    ['  search("x")', 'search', 'x'],
    ["open_file('src/a b.ts')", 'open_file', 'src/a b.ts'],
    ['bash: npm test', 'bash', 'npm test'],
    ['read_file src/a.ts', 'read_file', 'src/a.ts'],
    ['calculate', 'calculate', null],
    ['cd /testbed && python -m pytest tests/test_a.py -x', 'pytest', 'tests/test_a.py -x'],
    ['cd /testbed && grep -rn "def foo" src | head -20', 'grep', '-rn "def foo" src'],
    ["cat <<'EOF' > /testbed/fix.py", 'cat', "<<'EOF' > /testbed/fix.py"],
    ['PYTHONPATH=. timeout 60 python3 reproduce.py', 'python3', 'reproduce.py'],
    ['./tests/runtests.py queries', 'runtests.py', 'queries'],
    [
      '{"name": "book_reservation", "arguments": {"user_id": "mia_li_3668"}}',
      'book_reservation',
      '{"user_id":"mia_li_3668"}',
    ],
    [
      '{"function": {"name": "get_user_details", "arguments": "{\\"user_id\\":\\"x\\"}"}}',
      'get_user_details',
      '{"user_id":"x"}',
    ],
    ['{"tool": "web_search", "input": {"q": "a"}}', 'web_search', '{"q":"a"}'],
  ])('%s → %s', (action, tool, argument) => {
    expect(parseAction(action)).toEqual({ tool, argument });
  });

  it.each([
    ['sudo -E pip install numpy', 'pip', 'install numpy'],
    ['sudo -u postgres psql -c "select 1"', 'psql', '-c "select 1"'],
    ['sudo -Eu postgres psql', 'psql', null],
    ['sudo --user postgres psql', 'psql', null],
    ['timeout -s KILL 60 pytest -x', 'pytest', '-x'],
    ['timeout --signal=KILL 1.5 sleep 3', 'sleep', '3'],
    ['env -i PATH=/bin ls', 'ls', null],
    ['env -u HOME python3 x.py', 'python3', 'x.py'],
    ['time -p make', 'make', null],
    ['nice -n 10 make -j4', 'make', '-j4'],
    ['xargs -I {} rm {}', 'rm', '{}'],
    ['sudo -v', 'sudo', '-v'],
    ['env FOO=1', 'env', 'FOO=1'],
  ])("a wrapper's options are not the program: %s → %s", (action, tool, argument) => {
    expect(parseAction(action)).toEqual({ tool, argument });
  });

  it('reads a list of parallel JSON tool calls as its first call', () => {
    expect(
      parseAction(
        '[{"name": "get_user_details", "arguments": {"user_id": "a"}}, {"name": "list_all_airports", "arguments": {}}]',
      ),
    ).toEqual({ tool: 'get_user_details', argument: '{"user_id":"a"}' });
  });

  it('gives one tool per ReAct action whatever the argument, so habits do not split by argument', () => {
    expect(toolName('Search[Nick Park]')).toBe(toolName('Search[Wallace and Gromit]'));
  });
});

describe('runLengths and collapseRepeats', () => {
  it('keeps how many times in a row an action ran', () => {
    expect(runLengths(['a', 'a', 'b', 'a'])).toEqual([
      { action: 'a', count: 2 },
      { action: 'b', count: 1 },
      { action: 'a', count: 1 },
    ]);
    expect(runLengths([])).toEqual([]);
  });

  it('collapses runs of the same action', () => {
    expect(collapseRepeats(['a', 'a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a']);
  });
});
