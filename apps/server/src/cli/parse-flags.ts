import { parseArgs } from 'node:util';
import { closestName } from '../config/closest-name.js';
import { ServerError } from '../errors/server-error.js';

type FlagOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

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
      const near = closestName(flag.replace(/^-+/, '').split('=')[0] ?? '', Object.keys(options));
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
