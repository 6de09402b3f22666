import { createRemoteMemory, type RemoteMemory } from '@episodic/sdk';

/**
 * What the tools use: the `Memory` namespaces an agent needs (`episodes`, `search`, `patterns`,
 * `learning`). `openMemory()` from `@episodic/core` and `createRemoteMemory()` from
 * `@episodic/sdk` both satisfy it, so every tool runs unchanged embedded or against a server.
 */
export type AgentMemory = RemoteMemory;

/** An open memory and how to release it. */
export interface OpenedMemory {
  memory: AgentMemory;
  /** `embedded <dir>` or `remote <url>`, for the start-up line. */
  describe: string;
  close(): Promise<void>;
}

export type MemoryTarget = { dataDir: string } | { url: string; token: string };

/**
 * Embedded: the store in `dataDir`, opened exactly as `episodic serve` opens it (its settings,
 * `EPISODIC_*` variables included: local embeddings and the four miners by default), with the
 * learners running in this process. Remote: the server at `url`, as the bearer `token`.
 */
export async function openAgentMemory(
  target: MemoryTarget,
  env: Record<string, string | undefined> = process.env,
): Promise<OpenedMemory> {
  if ('url' in target) {
    return {
      memory: createRemoteMemory({ url: target.url, token: target.token }),
      describe: `remote ${target.url}`,
      close: async () => undefined,
    };
  }
  // Loaded only here: remote mode needs none of the server's storage stack.
  const { loadConfig, openStore } = await import('@episodic/server');
  const config = await loadConfig({ flags: { 'data-dir': target.dataDir }, env });
  const memory = await openStore(config);
  return { memory, describe: `embedded ${config.dataDir}`, close: () => memory.close() };
}
