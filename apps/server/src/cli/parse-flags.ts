import { parseArgs } from 'node:util';
import { ServerError } from '../errors/server-error.js';

type FlagOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`: `prot` is one from `port`. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known flag closest to a mistyped one (`--prot`: `--port`), if one is close. */
function closest(typed: string, options: FlagOptions): string | undefined {
  const ranked = Object.keys(options)
    .map((name) => [name, distance(typed, name)] as const)
    .filter(([name, edits]) => edits <= Math.max(1, Math.floor(name.length / 4)))
    .sort((a, b) => a[1] - b[1]);
  return ranked[0]?.[0];
}

/**
 * `util.parseArgs`, its refusals turned into one line that names the flag: Node's own words
 * advise about positionals for an unknown option (none of these commands takes one starting with
 * a dash) and run to three lines for `--port -1`.
 */
export function parseFlags(argv: string[], options: FlagOptions) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = closest(flag.replace(/^-+/, '').split('=')[0] ?? '', options);
      throw new ServerError(
        'USAGE',
        `Unknown option ${flag}${near === undefined ? '' : ` (did you mean --${near}?)`}.`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing|ambiguous/.test(message))
      throw new ServerError(
        'USAGE',
        `${flag} needs a value (a value starting with a dash is written ${flag}=-1).`,
      );
    throw new ServerError('USAGE', message.split('\n', 1)[0] ?? message);
  }
}
