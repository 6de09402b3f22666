import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EpisodicMcpError } from '../errors.js';
import { defaultTimeoutMs, type MemoryTarget } from '../memory/agent-memory.js';

export const usage = `Usage: episodic-mcp [--data-dir DIR | --url URL [--timeout-ms N]] [--http [--port N] [--host HOST]]

Episodic as MCP tools (memory_recall, memory_seen_error, memory_start_episode, memory_log_steps,
memory_complete_episode, memory_pattern_feedback), resources episode://{id} (a long episode's
steps page on at episode://{id}/steps/{cursor}) and pattern://{id}, and the prompt episodic_memory.

Memory (one of):
  --data-dir DIR   embedded: the store in DIR, opened as \`episodic serve\` opens it (default:
                   $EPISODIC_DATA_DIR, else dataDir in an episodic.config.* here, else ~/.episodic)
  --url URL        remote: an \`episodic serve\` at URL, with the token in $EPISODIC_TOKEN
  --timeout-ms N   remote: give up on a request the server has not answered in N ms
                   (default: $EPISODIC_TIMEOUT_MS, else ${defaultTimeoutMs})

Transport:
  (default)        stdio: the client starts this process
  --http           Streamable HTTP at http://HOST:PORT/mcp
  --port N         default 7778; 0 picks a free port
  --host HOST      default 127.0.0.1 (no authentication: keep it on loopback)

  --help, --version
`;

export type CliOptions =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'serve';
      target: MemoryTarget;
      transport: { kind: 'stdio' } | { kind: 'http'; host: string; port: number };
    };

/** A whole number of milliseconds, as text; at most what a timer takes. */
const milliseconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of milliseconds')
  .transform(Number)
  .pipe(z.number().int().min(1).max(2_147_483_647));

const flagsSchema = z
  .strictObject({
    'data-dir': z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    'timeout-ms': milliseconds.optional(),
    http: z.boolean().default(false),
    port: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(0).max(65_535))
      .default(7778),
    host: z.string().min(1).default('127.0.0.1'),
    help: z.boolean().default(false),
    version: z.boolean().default(false),
  })
  .refine((flags) => flags['data-dir'] === undefined || flags.url === undefined, {
    message: 'give --data-dir (embedded) or --url (remote), not both',
    path: ['url'],
  });

function usageError(message: string, cause?: unknown): EpisodicMcpError {
  return new EpisodicMcpError('USAGE', `${message}\n\n${usage}`, { cause });
}

/** `EPISODIC_TIMEOUT_MS`, checked; unset or empty (as every `EPISODIC_*`), the default. */
function timeoutFromEnv(env: Record<string, string | undefined>): number {
  const text = env.EPISODIC_TIMEOUT_MS;
  if (text === undefined || text === '') return defaultTimeoutMs;
  const parsed = milliseconds.safeParse(text);
  if (!parsed.success)
    throw usageError(`EPISODIC_TIMEOUT_MS: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

/** The command line and environment, checked: what to open and how to serve it. */
export function parseCliOptions(args: string[], env: Record<string, string | undefined>): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        url: { type: 'string' },
        'timeout-ms': { type: 'string' },
        http: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw usageError((error as Error).message, error);
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw usageError(details.join('; '));
  }
  const flags = parsed.data;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  if (!flags.http && (values.port !== undefined || values.host !== undefined))
    throw usageError('--port and --host apply only with --http');

  let target: MemoryTarget;
  if (flags.url !== undefined) {
    const token = env.EPISODIC_TOKEN;
    if (token === undefined || token === '')
      throw usageError('--url needs a token in EPISODIC_TOKEN (create one with `episodic tokens create`)');
    target = { url: flags.url, token, timeoutMs: flags['timeout-ms'] ?? timeoutFromEnv(env) };
  } else {
    if (flags['timeout-ms'] !== undefined) throw usageError('--timeout-ms applies only with --url');
    // Without the flag the store is found as `episodic serve` finds its own (see openAgentMemory).
    const dir = flags['data-dir'];
    target = dir === undefined ? {} : { dataDir: resolve(dir) };
  }
  return {
    kind: 'serve',
    target,
    transport: flags.http ? { kind: 'http', host: flags.host, port: flags.port } : { kind: 'stdio' },
  };
}
