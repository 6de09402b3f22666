import type { ServerConfig } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import type { SignalStop } from './stop-on-signals.js';

/** What every command gets: the settings, the words after the command, and the flags it may read. */
export interface CommandArgs {
  config: ServerConfig;
  positionals: string[];
  /** Parsed flags (strings, booleans, or string lists for repeatable flags). */
  options: Record<string, string | boolean | string[] | undefined>;
  /**
   * For the commands that run until stopped (`serve`, `worker`): SIGTERM and SIGINT, handled from
   * before the config (and its plugins) loads, so that a signal while they start stops them cleanly.
   */
  signals?: SignalStop | undefined;
}

export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(args: CommandArgs, name: string): string[] {
  const value = args.options[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : value;
}

export function flag(args: CommandArgs, name: string): boolean {
  return args.options[name] === true;
}

/**
 * `serve` and `worker` run until stopped and print no result a script could wait for: `--json`
 * is refused rather than ignored, so a script that relies on it learns at once.
 */
export function refuseJson(args: CommandArgs, command: string): void {
  if (flag(args, 'json'))
    throw new ServerError(
      'USAGE',
      `${command} runs until stopped and prints no result to parse, so it takes no --json.`,
    );
}
