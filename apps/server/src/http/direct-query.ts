import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AnyProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ServerContext } from '../context.js';
import type { AppRouter } from '../router.js';
import { JsonText } from './json-text.js';

const resultPrefix = Buffer.from('{"result":{"data":');
const resultSuffix = Buffer.from('}}');

/**
 * The raw `input` parameter of a query string, still URL-encoded; `null` when absent. The one
 * parameter a query carries, found without building a `URLSearchParams` for every request.
 */
function inputParameter(search: string): string | null {
  for (const pair of search.split('&')) if (pair.startsWith('input=')) return pair.slice('input='.length);
  return null;
}

export interface DirectQueryOptions {
  router: AppRouter;
  createContext: (req: IncomingMessage) => Promise<ServerContext>;
  onError: (error: TRPCError, path: string) => void;
}

/**
 * Serves one non-batched GET query (what tRPC's `httpLink` sends) straight from Node's request
 * and response objects. The generic adapter first turns each request into a Fetch `Request`,
 * then a `Response`, then streams it back; for a small query that round trip costs more than
 * the query. The wire format is tRPC's own: the same procedures, middlewares, error formatter
 * and status codes, and a test compares the two paths. Batches, mutations and subscriptions go
 * through the generic adapter.
 */
export function createDirectQuery({ router, createContext, onError }: DirectQueryOptions) {
  const config = router._def._config;
  const procedures = router._def.procedures as unknown as Record<string, AnyProcedure | undefined>;

  function send(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** `{"result":{"data":…}}` around bytes that are already JSON: what JSON.stringify would give. */
  function sendData(res: ServerResponse, data: JsonText): void {
    const length = resultPrefix.length + data.bytes.length + resultSuffix.length;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
    res.cork();
    res.write(resultPrefix);
    res.write(data.bytes);
    res.end(resultSuffix);
  }

  return {
    /** True for a single query this handler can answer; `search` is the text after `?`. */
    accepts(method: string | undefined, path: string, search: string): boolean {
      return method === 'GET' && procedures[path]?._def.type === 'query' && !/(^|&)batch=/.test(search);
    },

    async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
      let ctx: ServerContext | undefined;
      let input: unknown;
      try {
        const text = inputParameter(search);
        if (text !== null) {
          try {
            input = JSON.parse(decodeURIComponent(text.replaceAll('+', ' ')));
          } catch (cause) {
            throw new TRPCError({
              code: 'PARSE_ERROR',
              message: 'The "input" query parameter is not JSON.',
              cause,
            });
          }
        }
        ctx = await createContext(req);
        // Called as tRPC's callProcedure calls it, minus the lookup `accepts` already made: every
        // middleware level copies these options, so they carry no more than a procedure reads.
        const procedure = procedures[path] as AnyProcedure;
        const data = await procedure({
          path,
          type: 'query',
          ctx,
          getRawInput: async () => input,
          signal: undefined,
          batchIndex: 0,
        });
        if (data instanceof JsonText) sendData(res, data);
        else send(res, 200, JSON.stringify({ result: { data } }));
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        onError(error, path);
        const shape = getTRPCErrorShape({ config, error, type: 'query', path, input, ctx });
        send(res, getHTTPStatusCodeFromError(error), JSON.stringify({ error: shape }));
      }
    },
  };
}
