import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createRemoteMemory, type RemoteMemory } from '@episodic/sdk';
import { honouringSignals } from './signalled-memory.js';

/**
 * What the tools use: the `Memory` namespaces an agent needs (`episodes`, `search`, `patterns`,
 * `learning`). `openMemory()` from `@episodic/core` and `createRemoteMemory()` from
 * `@episodic/sdk` both satisfy it, so every tool runs unchanged embedded or against a server.
 */
export type AgentMemory = RemoteMemory;

/** An open memory and how to release it. */
export interface OpenedMemory {
  memory: AgentMemory;
  /** `embedded <dir> (from …)` or `remote <url> (…)`, for the start-up line. */
  describe: string;
  close(): Promise<void>;
}

/**
 * Embedded: `dataDir` when given (the `--data-dir` flag), else found as `episodic serve` finds its
 * own. Remote: the server at `url`, as the bearer `token`, giving up on a request after
 * `timeoutMs` (default `defaultTimeoutMs`).
 */
export type MemoryTarget = { dataDir?: string } | { url: string; token: string; timeoutMs?: number };

/**
 * How long a remote request may go unanswered: under the 60 s most MCP clients give a tool call,
 * so the agent reads a `TIMEOUT` tool error rather than the client's own protocol timeout.
 */
export const defaultTimeoutMs = 30_000;

/**
 * Embedded: the store opened exactly as `episodic serve` opens it (its settings, `EPISODIC_*`
 * variables and an `episodic.config.*` in the current folder included: local embeddings and
 * the four miners by default), with the learners running in this process. Its folder is, first
 * found: `dataDir`, `EPISODIC_DATA_DIR`, the config file's `dataDir`, `~/.episodic`. Remote: the
 * server at `url`.
 */
export async function openAgentMemory(
  target: MemoryTarget,
  env: Record<string, string | undefined> = process.env,
): Promise<OpenedMemory> {
  if ('url' in target) {
    const timeoutMs = target.timeoutMs ?? defaultTimeoutMs;
    return {
      memory: createRemoteMemory({ url: target.url, token: target.token, timeoutMs }),
      describe: `remote ${target.url} (requests time out after ${timeoutMs / 1000} s)`,
      close: async () => undefined,
    };
  }
  // Loaded only here: remote mode needs none of the server's storage stack.
  const { loadConfig, openStore } = await import('@episodic/server');
  const flags = target.dataDir === undefined ? {} : { 'data-dir': target.dataDir };
  const loaded = await loadConfig({ flags, env });
  // A data dir from the flag, the variable or the file is made absolute as it is read; the
  // server's own default (`./data`, for a server's working folder) is left as written.
  const configured = isAbsolute(loaded.dataDir);
  // Nothing named one: the MCP's own default, one memory for every project of this user.
  const config = configured ? loaded : { ...loaded, dataDir: join(homedir(), '.episodic') };
  const memory = await openStore(config);
  const origin =
    target.dataDir !== undefined
      ? 'from --data-dir'
      : env.EPISODIC_DATA_DIR !== undefined && env.EPISODIC_DATA_DIR !== ''
        ? 'from EPISODIC_DATA_DIR'
        : configured
          ? "from the config file's dataDir"
          : 'the default: no --data-dir, EPISODIC_DATA_DIR or config file dataDir';
  return {
    // The engine runs a call it started to its end: a cancelled tool call must still stop waiting.
    memory: honouringSignals(memory),
    describe: `embedded ${config.dataDir} (${origin})`,
    close: () => memory.close(),
  };
}
