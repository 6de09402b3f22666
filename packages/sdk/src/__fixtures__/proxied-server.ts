import {
  type DroppingProxy,
  startDroppingProxy,
  startTestServer,
  type TestServer,
} from '@episodic/server/testing';
import { afterAll, beforeAll } from 'vitest';

/** A real server, a proxy in front of it that can hold its answers back, and an agent's token. */
export interface ProxiedServer {
  server: TestServer;
  proxy: DroppingProxy;
  token: string;
}

/**
 * Starts a `ProxiedServer` before the file's tests and stops it after them. The fields are set once
 * `beforeAll` has run: read them inside tests, not at the file's top level.
 */
export function proxiedServerForFile(): ProxiedServer {
  const live = {} as ProxiedServer;
  beforeAll(async () => {
    live.server = await startTestServer();
    live.proxy = await startDroppingProxy(live.server.url);
    live.token = await live.server.token({ name: 'agent' });
  });
  afterAll(async () => {
    await live.proxy?.close();
    await live.server?.close();
  });
  return live;
}
