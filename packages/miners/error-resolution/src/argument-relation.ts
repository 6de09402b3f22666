import { parseAction, type StepView } from '@episodic/plugin';

/**
 * Where the argument of the step that resolved an error came from:
 * - `error.suggestion`: one of the alternatives the error listed (`Similar: ['A', 'B']`), as the
 *   whole argument or as a new word of a command line;
 * - `error.mention`: a value the error named (a quoted name, a path, an id);
 * - `earlier.result`: a value an earlier step's result returned.
 */
export const argumentSources = ['error.suggestion', 'error.mention', 'earlier.result'] as const;
export type ArgumentSource = (typeof argumentSources)[number];

/** Values shorter than this are too common to say where an argument came from (`1`, `id`). */
const minValueChars = 3;
/** Characters of each earlier result searched: the work per resolution stays bounded. */
const maxResultChars = 20_000;

const normalise = (value: string) => value.toLowerCase().replace(/\s+/gu, ' ').trim();

/** An earlier result as `argumentRelation` searches it: bounded, lower case, whitespace collapsed. */
export function searchableResult(result: string | null): string {
  return result === null ? '' : normalise(result.slice(0, maxResultChars));
}

/**
 * The argument of a step: the parsed action's argument (`Search[Nick Park]` → `Nick Park`), else
 * the `arguments`, `args` or `parameters` its metadata holds (a tool call logged by name).
 */
export function stepArgument(step: Pick<StepView, 'action' | 'metadata'>): string | null {
  const parsed = parseAction(step.action).argument;
  if (parsed !== null) return parsed;
  const metadata = step.metadata ?? {};
  const held = metadata.arguments ?? metadata.args ?? metadata.parameters;
  if (held === undefined || held === null) return null;
  return typeof held === 'string' ? held : JSON.stringify(held);
}

/** The scalar values in an argument: its JSON leaves, or the whole argument unquoted. */
function argumentValues(argument: string): string[] {
  const values: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(visit);
    else if (node !== null && node !== undefined) values.push(String(node));
  };
  try {
    visit(JSON.parse(argument));
  } catch {
    values.push(argument.trim().replace(/^(['"`])([\s\S]*)\1$/u, '$2'));
  }
  return values.map((value) => value.trim()).filter((value) => value.length >= minValueChars);
}

/** The items of the lists an error gives (`Similar: ['A', 'B']`, `did you mean: a, b?`). */
function suggestions(error: string): string[] {
  const items: string[] = [];
  for (const [, list] of error.matchAll(/\[([^\][]{0,2000})\]/gu)) {
    for (const item of (list as string).split(/,(?=(?:[^'"]|'[^']*'|"[^"]*")*$)/u))
      items.push(item.trim().replace(/^(['"])([\s\S]*)\1$/u, '$2'));
  }
  for (const [, list] of error.matchAll(
    /(?:did you mean|similar|suggestions?|perhaps|maybe)[:\s]+([^\n?]{1,500})/giu,
  ))
    for (const item of (list as string).split(/,|\bor\b/u))
      items.push(item.trim().replace(/^(['"`])(.*)\1$/u, '$2'));
  return items.map(normalise).filter((item) => item.length >= minValueChars);
}

/** A normalised value's words, each unquoted: a command line's arguments (`npm install 'lodash'`). */
const words = (value: string) => value.split(' ').map((word) => word.replace(/^(['"`])(.+)\1$/u, '$2'));

/** What an error names: quoted values, paths, ids that mix letters and digits, numbers of 3+ digits. */
function mentions(error: string): string[] {
  const found = [
    ...[...error.matchAll(/(?<!\w)'([^'\n]{1,200})'(?!\w)|"([^"\n]{1,200})"|`([^`\n]{1,200})`/gu)].map(
      (match) => match[1] ?? match[2] ?? match[3] ?? '',
    ),
    ...(error.match(/(?:[\w.-]*\/)+[\w.-]+|\b(?=\w*\d)(?=\w*[A-Za-z])\w{3,}\b|\b\d{3,}(?:\.\d+)?\b/gu) ?? []),
  ];
  return found.map(normalise).filter((item) => item.length >= minValueChars);
}

/**
 * How the resolving step's argument relates to the error and what came before it, or `null` when
 * it does not (a plain retry, or a new argument from elsewhere). Only the values the failed step
 * did not already pass count: the relation says where the change came from. The first that holds wins.
 */
export function argumentRelation(
  error: string,
  failed: Pick<StepView, 'action' | 'metadata'>,
  resolving: Pick<StepView, 'action' | 'metadata'>,
  earlierResults: readonly string[],
): ArgumentSource | null {
  const argument = stepArgument(resolving);
  if (argument === null) return null;
  const before = stepArgument(failed);
  const kept = new Set(before === null ? [] : argumentValues(before).map(normalise));
  const values = argumentValues(argument)
    .map(normalise)
    .filter((value) => !kept.has(value));
  if (values.length === 0) return null;
  const suggested = new Set(suggestions(error));
  // A shell command is one value (`npm install lodash`): the fix took the listed alternative when
  // one of its words is it, as much as a `Tool[lodash]` whose whole argument is.
  const keptWords = new Set([...kept].flatMap(words));
  const newWords = values.flatMap(words).filter((word) => !keptWords.has(word));
  if ([...values, ...newWords].some((value) => suggested.has(value))) return 'error.suggestion';
  const named = mentions(error);
  if (values.some((value) => named.some((item) => value === item || value.includes(item))))
    return 'error.mention';
  if (values.some((value) => earlierResults.some((result) => result.includes(value))))
    return 'earlier.result';
  return null;
}
