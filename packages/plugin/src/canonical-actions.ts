/** An action split into the tool it names and what it was given. */
export interface ParsedAction {
  /** What miners compare by default: `Search`, `read_file`, `pytest`, `book_reservation`. */
  tool: string;
  /** The rest: the bracketed or parenthesised argument, the command's arguments, the JSON arguments. */
  argument: string | null;
}

const bracketCall = /^([A-Za-z_][\w.-]*)\[([\s\S]*)\]$/u;
const parenCall = /^([A-Za-z_][\w.-]*)\(([\s\S]*)\)$/u;
/** `bash: npm test`, `tool: arg`: a name, a colon, the argument. */
const labelled = /^([A-Za-z_][\w.-]*):\s+([\s\S]*)$/u;

/** A shell word that starts a command without being its program, and how to read past it. */
interface ShellWrapper {
  /** Its short options that take an argument (`-u root` or `-uroot`); the others are flags. */
  short: string;
  /** Its long options that take an argument, which may be the next word (`--user root`). */
  long: readonly string[];
  /** What comes between its options and the command: `timeout`'s duration. */
  operand?: RegExp;
}

/** The wrappers agents put before a command, with the options their man pages give (GNU, sudo(8), bash). */
const shellWrappers: ReadonlyMap<string, ShellWrapper> = new Map([
  [
    'sudo',
    {
      short: 'CDghpRrTtUu',
      long: 'chdir chroot close-from command-timeout group host other-user prompt role type user'.split(' '),
    },
  ],
  ['env', { short: 'aCSu', long: ['argv0', 'chdir', 'split-string', 'unset'] }],
  ['time', { short: 'fo', long: ['format', 'output'] }],
  ['timeout', { short: 'ks', long: ['kill-after', 'signal'], operand: /^(?:\d+\.?\d*|\.\d+)[smhd]?$/u }],
  ['nice', { short: 'n', long: ['adjustment'] }],
  ['nohup', { short: '', long: [] }],
  ['exec', { short: 'a', long: [] }],
  ['command', { short: '', long: [] }],
  [
    'xargs',
    {
      short: 'adEILnPs',
      long: 'arg-file delimiter max-args max-chars max-procs process-slot-var'.split(' '),
    },
  ],
]);
const envAssignment = /^[A-Za-z_]\w*=/u;

function unquote(text: string): string {
  const trimmed = text.trim();
  const quoted = /^(['"`])([\s\S]*)\1$/u.exec(trimmed);
  return quoted === null ? trimmed : (quoted[2] as string);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * `{"name": …, "arguments": …}`, `{"tool": …, "input": …}`, `{"function": {"name", "arguments"}}`,
 * or a list of them (parallel calls), read as its first.
 */
function parseJsonCall(action: string): ParsedAction | null {
  if (!action.startsWith('{') && !action.startsWith('[')) return null;
  let value: unknown;
  try {
    value = JSON.parse(action);
  } catch {
    return null;
  }
  const call = asRecord(Array.isArray(value) ? value[0] : value);
  const inner = asRecord(call?.function) ?? call;
  const name = inner?.name ?? inner?.tool ?? inner?.tool_name ?? inner?.action;
  if (typeof name !== 'string' || name.trim() === '') return null;
  const args = inner?.arguments ?? inner?.args ?? inner?.input ?? inner?.parameters ?? inner?.action_input;
  const argument =
    args === undefined || args === null ? null : typeof args === 'string' ? args : JSON.stringify(args);
  return { tool: name.trim(), argument };
}

/** Where the command a wrapper runs starts: past its options, their arguments and its operand. */
function pastWrapper(words: readonly string[], at: number, wrapper: ShellWrapper): number {
  let next = at + 1;
  while (words[next]?.startsWith('-') === true) {
    const option = words[next] as string;
    next += 1;
    if (option === '--') break;
    if (option.startsWith('--')) {
      if (!option.includes('=') && wrapper.long.includes(option.slice(2))) next += 1;
      continue;
    }
    // Flags may share a word (`-Eu`); the first that takes an argument takes the rest of the word,
    // or the next word when it ends the word.
    for (let flag = 1; flag < option.length; flag += 1) {
      if (!wrapper.short.includes(option[flag] as string)) continue;
      if (flag === option.length - 1) next += 1;
      break;
    }
  }
  if (wrapper.operand?.test(words[next] ?? '') === true) next += 1;
  return next;
}

/**
 * The program a shell command runs: the first command of a `&&`/`;`/`|` chain that is not a `cd`,
 * past environment assignments and wrappers with their options (`sudo -u postgres`, `timeout -s
 * KILL 60`, `env -i`), `python -m pytest` → `pytest`. A wrapper with no command after it is the
 * program (`sudo -v`).
 */
function parseShell(action: string): ParsedAction {
  const commands = action.split(/\s*(?:&&|\|\||;|\|)\s*/u).filter((part) => part.trim() !== '');
  const command = commands.find((part) => !/^cd(?:\s|$)/u.test(part.trim())) ?? commands[0] ?? action;
  const words = command.trim().split(/\s+/u);
  let at = 0;
  while (at < words.length - 1) {
    const word = words[at] as string;
    const wrapper = shellWrappers.get(word);
    if (wrapper === undefined && !envAssignment.test(word)) break;
    let next = wrapper === undefined ? at + 1 : pastWrapper(words, at, wrapper);
    while (envAssignment.test(words[next] ?? '')) next += 1;
    if (next >= words.length) break;
    at = next;
  }
  let program = (words[at] ?? '').replace(/^.*\//u, '') || (words[at] ?? '');
  if (/^python[\d.]*$/u.test(program) && words[at + 1] === '-m' && words[at + 2] !== undefined) {
    program = words[at + 2] as string;
    at += 2;
  }
  const rest = words.slice(at + 1).join(' ');
  return { tool: program, argument: rest === '' ? null : rest };
}

/**
 * Splits an action as agents log it into its tool and argument: ReAct `Search[Nick Park]`, a call
 * `search("x")`, a JSON tool call, `bash: npm test`, or a shell command (`cd repo && pytest -x` →
 * `pytest`). Anything else: its first word is the tool, the rest the argument.
 */
export function parseAction(action: string): ParsedAction {
  const trimmed = action.trim();
  const json = parseJsonCall(trimmed);
  if (json !== null) return json;
  for (const form of [bracketCall, parenCall, labelled]) {
    const match = form.exec(trimmed);
    if (match !== null) {
      const argument = unquote(match[2] as string);
      return { tool: match[1] as string, argument: argument === '' ? null : argument };
    }
  }
  const shell = parseShell(trimmed);
  return shell.tool === '' ? { tool: trimmed, argument: null } : shell;
}

/**
 * The tool an action names (see {@link parseAction}): `read_file src/a.ts` → `read_file`,
 * `Search[Nick Park]` → `Search`, `cd /repo && python -m pytest` → `pytest`. Miners compare
 * actions by it by default, so arguments, paths and ids do not split one habit into many patterns.
 */
export function toolName(action: string): string {
  return parseAction(action).tool;
}

/** One action and how many times in a row it ran. */
export interface ActionRun {
  action: string;
  count: number;
}

/** `a a b a` → `a×2, b×1, a×1`: consecutive repeats as one run with its length. */
export function runLengths(items: readonly string[]): ActionRun[] {
  const runs: ActionRun[] = [];
  for (const action of items) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.action === action) last.count += 1;
    else runs.push({ action, count: 1 });
  }
  return runs;
}

/** `a a b a` → `a b a`: three lookups in a row are one habit, not three patterns. */
export function collapseRepeats<T>(items: readonly T[]): T[] {
  return items.filter((item, index) => index === 0 || item !== items[index - 1]);
}

/** A miner option that maps a step's action to what the miner compares (default: {@link toolName}). */
export type ActionNormalizer = (action: string) => string;

/**
 * Whether `value` can be an {@link ActionNormalizer}: the check behind a miner's
 * `normalizeAction` option (`z.custom(isActionNormalizer).default(() => toolName)` in zod).
 */
export function isActionNormalizer(value: unknown): value is ActionNormalizer {
  return typeof value === 'function';
}
