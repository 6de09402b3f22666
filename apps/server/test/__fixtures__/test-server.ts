import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../../src/router.js';
import { startTestServer as startServerForTests, type TestServer } from '../../src/testing/test-server.js';

export type TestClient = ReturnType<typeof createTestClient>;

/** The real tRPC client over HTTP, batched like the SDK, with SSE subscriptions carrying the token. */
export function createTestClient(
  baseUrl: string,
  token: string | undefined,
  options: { batch?: boolean } = {},
) {
  const url = `${baseUrl}/trpc`;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
          }),
        }),
        false: options.batch === false ? httpLink({ url, headers }) : httpBatchLink({ url, headers }),
      }),
    ],
  });
}

export interface ClientTestServer extends TestServer {
  client(token: string | undefined, options?: { batch?: boolean }): TestClient;
}

export async function startTestServer(
  ...args: Parameters<typeof startServerForTests>
): Promise<ClientTestServer> {
  const t = await startServerForTests(...args);
  return { ...t, client: (token, options) => createTestClient(t.url, token, options) };
}

/** Resolves with the rejection of `promise`, failing the test if it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ message: string; data?: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (error: unknown) => error as { message: string; data?: Record<string, unknown> },
  );
}
