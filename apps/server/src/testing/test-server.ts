import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateTokenInput } from '@episodic/core';
import { type RunningServer, type StartServerOptions, startServer } from '../server.js';

export interface TestServer {
  server: RunningServer;
  /** The data dir, removed by `close`. */
  dir: string;
  url: string;
  /** The admin token the first start wrote to its file. */
  adminToken: string;
  /** Creates a token and returns its bearer text. */
  token(input: CreateTokenInput): Promise<string>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A real server on 127.0.0.1 on a free port, over a fresh data dir under the OS temp dir, for
 * tests of the server and of its clients.
 */
export async function startTestServer(options: Partial<StartServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'episodic-server-'));
  let server: RunningServer;
  try {
    server = await startServer({ port: 0, dataDir: dir, log: () => undefined, ...options });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const adminToken = server.adminTokenFile === null ? '' : readFileSync(server.adminTokenFile, 'utf8').trim();
  const close = async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    server,
    dir,
    url: server.url,
    adminToken,
    token: async (input) => (await server.memory.tokens.create(input)).bearer,
    close,
    [Symbol.asyncDispose]: close,
  };
}
