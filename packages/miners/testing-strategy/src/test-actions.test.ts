import { describe, expect, it } from 'vitest';
import {
  classifyAction,
  defaultChangeMatchers,
  defaultTestMatchers,
  isTargetedTest,
} from './test-actions.js';

const matchers = { test: defaultTestMatchers, change: defaultChangeMatchers };

describe('classifyAction', () => {
  it.each([
    ['run_tests auth', 'test'],
    ['run_command npm test', 'test'],
    ['bash: pytest -x tests/test_api.py', 'test'],
    ['go test ./...', 'test'],
    ['edit_file tests/session.test.ts', 'change'],
    ['str_replace src/a.ts', 'change'],
    ['run_command git apply fix.patch', 'change'],
    ['read_file src/a.ts', 'other'],
    ['str_replace_editor src/a.ts', 'change'],
    ['update_reservation_flights', 'other'],
    ['cancel_reservation', 'other'],
    ["cd /testbed && sed -i 's/old/new/' django/db/models/query.py", 'change'],
    ["cat <<'EOF' > /testbed/reproduce.py", 'change'],
    ['echo "x = 1" >> setup.cfg', 'change'],
    ['cd /testbed && python -m pytest tests/test_a.py -x', 'test'],
    ['cd /testbed && ./tests/runtests.py queries', 'test'],
    ['grep -rn "update" django/db/models/query.py', 'other'],
    ['python reproduce.py > /tmp/out.txt', 'other'],
  ])('%s → %s', (action, kind) => {
    expect(classifyAction(action, matchers)).toBe(kind);
  });

  it('takes custom matchers, phrases and regular expressions', () => {
    const custom = { test: ['cargo nextest', /^check\b/], change: ['sed'] };
    expect(classifyAction('cargo nextest run', custom)).toBe('test');
    expect(classifyAction('check all', custom)).toBe('test');
    expect(classifyAction('cargo build', custom)).toBe('other');
    expect(classifyAction('sed -i s/a/b/ x', custom)).toBe('change');
  });
});

describe('isTargetedTest', () => {
  it.each([
    ['npm test', false],
    ['pnpm run test:unit -- --watch', false],
    ['pytest -x', false],
    ['go test ./...', false],
    ['run_tests', false],
    ['run_tests auth', true],
    ['vitest run src/session.test.ts', true],
    ['pytest tests/test_api.py', true],
    ['pytest -k refresh', true],
    ['jest --testNamePattern=login', true],
    ['cargo test parser', true],
  ])('%s → %s', (action, targeted) => {
    expect(isTargetedTest(action, defaultTestMatchers)).toBe(targeted);
  });

  it.each([
    'python -m pytest -x',
    'python3 -m pytest',
    'cd /testbed && pytest -x',
    'timeout 600 pytest',
    'timeout -s KILL 600 pytest -x',
    'bash: cd /testbed && pytest -x',
    '{"name": "run_tests", "arguments": {}}',
    '{"name": "bash", "arguments": {"command": "cd /testbed && python -m pytest"}}',
  ])('the whole suite in an agent format is a full run: %s', (action) => {
    expect(isTargetedTest(action, defaultTestMatchers)).toBe(false);
  });
});
