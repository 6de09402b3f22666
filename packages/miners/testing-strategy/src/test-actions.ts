import { toolName } from '@episodic/core';

/** A word or phrase (`go test`) matched against an action's words, or a regular expression matched against the action. */
export type ActionMatcher = string | RegExp;

export const defaultTestMatchers: readonly ActionMatcher[] = [
  'test',
  'tests',
  'spec',
  'specs',
  'vitest',
  'jest',
  'pytest',
  'mocha',
  'rspec',
  'unittest',
  'phpunit',
  'karma',
  'ava',
  'playwright',
  'cypress',
  'ctest',
  'tox',
  'nox',
];

export const defaultChangeMatchers: readonly ActionMatcher[] = [
  'edit',
  'write',
  'patch',
  'apply',
  'create',
  'modify',
  'replace',
  'update',
  'delete',
  'remove',
  'rename',
  'move',
  'insert',
  'refactor',
  'codemod',
  'fix',
];

/** Words of a test command that say how to run tests, not which: `npm run test:unit -- --watch`. */
const runnerWords = new Set([
  'run',
  'npm',
  'pnpm',
  'yarn',
  'npx',
  'bun',
  'bunx',
  'node',
  'python',
  'python3',
  'py',
  'm',
  'cargo',
  'go',
  'make',
  'dotnet',
  'mvn',
  'gradle',
  'bundle',
  'exec',
  'all',
  'watch',
  'ci',
  'unit',
  'integration',
  'e2e',
  'suite',
  'x',
]);
/** Flags that select tests by name or file. */
const filterFlag =
  /^(?:-k|-t|-m|-p|-run|--grep|--filter|--spec|--only|--match|--testNamePattern|--test-name-pattern|--testPathPattern)(?:=.*)?$/;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

function matchesWords(actionWords: readonly string[], action: string, matcher: ActionMatcher): boolean {
  if (matcher instanceof RegExp) return matcher.test(action);
  const phrase = words(matcher);
  if (phrase.length === 0) return false;
  for (let i = 0; i + phrase.length <= actionWords.length; i += 1) {
    if (phrase.every((word, offset) => actionWords[i + offset] === word)) return true;
  }
  return false;
}

export interface ActionMatchers {
  test: readonly ActionMatcher[];
  change: readonly ActionMatcher[];
}

export type ActionKind = 'test' | 'change' | 'other';

/**
 * What a step did: ran tests, changed something, or neither. The tool decides first (an
 * `edit_file` of `tests/a.test.ts` is a change, not a test run), then the whole action
 * (`run_command npm test` is a test run).
 */
export function classifyAction(action: string, matchers: ActionMatchers): ActionKind {
  const tool = toolName(action);
  if (matchers.change.some((matcher) => matchesWords(words(tool), tool, matcher))) return 'change';
  const all = words(action);
  if (matchers.test.some((matcher) => matchesWords(all, action, matcher))) return 'test';
  if (matchers.change.some((matcher) => matchesWords(all, action, matcher))) return 'change';
  return 'other';
}

/**
 * Whether a test action runs chosen tests rather than the whole suite: after the command itself,
 * it names something (a path, a module, a test name) or uses a filter flag (`-k`, `-t`, `--grep`…).
 * Flags, runner words and the test words themselves (`npm run test:unit`) name nothing; nor does
 * Go's `./...`.
 */
export function isTargetedTest(action: string, testMatchers: readonly ActionMatcher[]): boolean {
  const testWords = new Set(testMatchers.filter((m): m is string => typeof m === 'string').flatMap(words));
  const tokens = action.trim().split(/\s+/).slice(1);
  for (const token of tokens) {
    if (filterFlag.test(token)) return true;
    if (token.startsWith('-') || token === '.' || token === './...') continue;
    const tokenWords = words(token);
    if (tokenWords.every((word) => runnerWords.has(word) || testWords.has(word))) continue;
    return true;
  }
  return false;
}
