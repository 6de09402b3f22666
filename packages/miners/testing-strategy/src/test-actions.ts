import { type ParsedAction, parseAction } from '@episodic/plugin';

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

/** A matcher's words, split once: matchers are few and fixed, steps are many. */
const matcherWordCache = new Map<string, string[]>();
function matcherWords(matcher: string): string[] {
  let split = matcherWordCache.get(matcher);
  if (split === undefined) {
    split = words(matcher);
    if (matcherWordCache.size < 1000) matcherWordCache.set(matcher, split);
  }
  return split;
}

function matchesWords(actionWords: readonly string[], action: string, matcher: ActionMatcher): boolean {
  if (matcher instanceof RegExp) return matcher.test(action);
  const phrase = matcherWords(matcher);
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

/** What a change tool may act on besides its verb: `edit_file`, `str_replace_editor`, `apply_patch`. */
const codeWords = new Set(
  'file files code source src text content contents patch diff line lines str string editor buffer cell notebook doc docs document config block hunk snippet function class module'.split(
    ' ',
  ),
);
/** Tools whose argument is itself a command: `run_command git apply fix.patch`. */
const runners = new Set([
  'bash',
  'sh',
  'zsh',
  'shell',
  'run_command',
  'run',
  'execute',
  'exec',
  'terminal',
  'cmd',
  'command',
]);
/** Shell commands that write files: `sed -i`, `cat <<EOF > f`, `echo … > f`, `tee f`, `git apply`, `patch`. */
const shellEdit =
  /\bsed\s+(?:-[^\s]*\s+)*-[a-zA-Z]*i|\bperl\s+-[a-zA-Z]*i|\b(?:cat|echo|printf)\b[^|;&]*?(?<![\d&])>{1,2}\s*(?!\/dev\/null)[\w./~-]+|\btee\s+(?:-a\s+)?[\w./~-]+|\bgit\s+(?:apply|am)\b|(?:^|[;&|]\s*)patch\s/;

/**
 * Whether a tool name says it changes code: a change verb (`edit`, `write`, `replace`…), and every
 * other word something code is made of. `update_reservation_flights` changes a booking, not code.
 */
function isChangeTool(tool: string, change: readonly ActionMatcher[]): boolean {
  const toolWords = words(tool);
  if (!change.some((matcher) => matchesWords(toolWords, tool, matcher))) return false;
  return toolWords.every(
    (word) =>
      codeWords.has(word) ||
      change.some((matcher) => typeof matcher === 'string' && matcherWords(matcher).includes(word)),
  );
}

/**
 * What a step did: ran tests, changed code, or neither. The tool decides first (an `edit_file`
 * of `tests/a.test.ts` is a change, not a test run), then a shell edit (`sed -i`, `cat <<EOF >
 * f`), then the whole action (`npm test` is a test run), then, for a tool that runs a command,
 * the command (`run_command git apply fix.patch`).
 */
export function classifyAction(action: string, matchers: ActionMatchers): ActionKind {
  const { tool, argument } = parseAction(action);
  if (isChangeTool(tool, matchers.change)) return 'change';
  if (shellEdit.test(action)) return 'change';
  const all = words(action);
  if (matchers.test.some((matcher) => matchesWords(all, action, matcher))) return 'test';
  if (argument !== null && runners.has(tool.toLowerCase())) {
    const inner = words(argument);
    if (matchers.change.some((matcher) => matchesWords(inner, argument, matcher))) return 'change';
  }
  return 'other';
}

/** A JSON argument's value (`{"path": "tests/a.py"}`), or undefined when the argument is not JSON. */
function parseJson(argument: string): unknown {
  if (!argument.startsWith('{') && !argument.startsWith('[')) return undefined;
  try {
    return JSON.parse(argument);
  } catch {
    return undefined;
  }
}

/** The strings in a JSON value, at any depth: `{"paths": ["tests/a.py"]}` → `tests/a.py`; `{}` → none. */
function jsonStrings(value: unknown): string[] {
  // A stack, not recursion or spreads: a hostile argument may nest thousands deep or list a million items.
  const strings: string[] = [];
  const pending = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node === 'string') strings.push(node);
    else if (typeof node === 'object' && node !== null)
      for (const child of Object.values(node)) pending.push(child);
  }
  return strings;
}

/**
 * The test command of an action, read as `parseAction` reads it (`cd /testbed && timeout 600
 * python -m pytest -x` → `pytest` with `-x`); for a tool that runs a command (`bash: …`, or
 * `{"name": "bash", "arguments": {"command": …}}`), the command it runs.
 */
function testCommand(action: string): ParsedAction {
  const parsed = parseAction(action);
  if (parsed.argument === null || !runners.has(parsed.tool.toLowerCase())) return parsed;
  const call = parseJson(parsed.argument);
  const fields = typeof call === 'object' && call !== null ? (call as Record<string, unknown>) : {};
  const command = fields.command ?? fields.cmd;
  return parseAction(typeof command === 'string' ? command : parsed.argument);
}

/**
 * Whether a test action runs chosen tests rather than the whole suite: the test command's
 * arguments (a JSON argument's strings: `{}` is a full run) name something (a path, a module, a
 * test name) or use a filter flag (`-k`, `-t`, `--grep`…). Flags, runner words and the test words
 * themselves (`npm run test:unit`) name nothing; nor does Go's `./...`. What comes before the
 * command (`cd /testbed &&`, `timeout 600`, `python -m`) is not an argument.
 */
export function isTargetedTest(action: string, testMatchers: readonly ActionMatcher[]): boolean {
  const { argument } = testCommand(action);
  if (argument === null) return false;
  const testWords = new Set(
    testMatchers.filter((m): m is string => typeof m === 'string').flatMap(matcherWords),
  );
  const json = parseJson(argument);
  const texts = json === undefined ? [argument] : jsonStrings(json);
  for (const token of texts.flatMap((text) => text.trim().split(/\s+/))) {
    if (filterFlag.test(token)) return true;
    if (token.startsWith('-') || token === '.' || token === './...') continue;
    const tokenWords = words(token);
    if (tokenWords.every((word) => runnerWords.has(word) || testWords.has(word))) continue;
    return true;
  }
  return false;
}
