import { EpisodicError } from '@episodic/core';

type Options = Record<string, string | boolean | string[] | undefined>;

const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * A flag's value as the operator typed it, quoted when it would not read as itself; a character
 * that does not print (a control, a bidirectional override) written as its `\uXXXX` escape, so the
 * message shows what is refused rather than act on the terminal.
 */
function shown(value: string): string {
  if (value !== '' && !/[\s"'\\]/u.test(value) && !invisible.test(value)) return value;
  const escaped = (char: string) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  return JSON.stringify(value).replace(new RegExp(invisible, 'gu'), escaped);
}

/**
 * The engine's refusal of a command's input in the words of its flags (`--name "": Too small …`
 * rather than `Invalid token: name: Too small …`): the operator typed flags, and the engine's field
 * names (`episodeIds`, `createdBefore`) are not among them. `fields` maps the first part of an
 * engine path to its flag; a refusal naming any other field is left as the engine said it.
 */
export function flagRefusal(
  error: unknown,
  fields: Readonly<Record<string, string>>,
  options: Options,
): string | undefined {
  if (!EpisodicError.isInstance(error) || error.code !== 'VALIDATION' || error.issues.length === 0) return;
  const named: string[] = [];
  for (const issue of error.issues) {
    const [head = '', at] = issue.path.split('.');
    if (!Object.hasOwn(fields, head)) return;
    const flag = fields[head] as string;
    const given = options[flag];
    // A repeated flag's value is the one the path's index names (`episodeIds.1`: the second `--episode`).
    const value = Array.isArray(given) ? given[Number(at)] : given;
    named.push(`--${flag}${typeof value === 'string' ? ` ${shown(value)}` : ''}: ${issue.message}`);
  }
  return named.join('; ');
}
