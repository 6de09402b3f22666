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
/** Shell words that start a command without being its program. */
const shellPrefixes = new Set(['sudo', 'env', 'time', 'nohup', 'exec', 'command', 'timeout', 'xargs']);
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

/** `{"name": …, "arguments": …}`, `{"tool": …, "input": …}`, `{"function": {"name", "arguments"}}`. */
function parseJsonCall(action: string): ParsedAction | null {
  if (!action.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(action);
  } catch {
    return null;
  }
  const call = asRecord(value);
  const inner = asRecord(call?.function) ?? call;
  const name = inner?.name ?? inner?.tool ?? inner?.tool_name ?? inner?.action;
  if (typeof name !== 'string' || name.trim() === '') return null;
  const args = inner?.arguments ?? inner?.args ?? inner?.input ?? inner?.parameters ?? inner?.action_input;
  const argument =
    args === undefined || args === null ? null : typeof args === 'string' ? args : JSON.stringify(args);
  return { tool: name.trim(), argument };
}

/**
 * The program a shell command runs: the first command of a `&&`/`;`/`|` chain that is not a `cd`,
 * past environment assignments and wrappers (`sudo`, `timeout 60`), `python -m pytest` → `pytest`.
 */
function parseShell(action: string): ParsedAction {
  const commands = action.split(/\s*(?:&&|\|\||;|\|)\s*/u).filter((part) => part.trim() !== '');
  const command = commands.find((part) => !/^cd(?:\s|$)/u.test(part.trim())) ?? commands[0] ?? action;
  const words = command.trim().split(/\s+/u);
  let at = 0;
  while (at < words.length - 1) {
    const word = words[at] as string;
    if (envAssignment.test(word) || shellPrefixes.has(word)) at += 1;
    else if (/^\d+[smh]?$/u.test(word) && words[at - 1] === 'timeout') at += 1;
    else break;
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
