// tRPC's HTTP wire format, as the server speaks it (no transformer, no batching): a query is
// `GET /trpc/<procedure>?input=<JSON>` (POST when the URL would be long; the server accepts
// queries as POST), a mutation `POST` with the JSON input as the body. The answer is
// `{ result: { data } }` or `{ error: { message, data: { code, httpStatus } } }`.

/** Past this many characters a query goes as POST: a long search text does not fit in a URL. */
const longestGetUrl = 2000;

export class ApiError extends Error {
  /**
   * `code` is tRPC's (`UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`…), or `NETWORK` when no answer came;
   * `issues`, for a refused input, each field refused: `{ path: 'limit', message }`.
   */
  constructor(procedure, code, message, issues = []) {
    super(message);
    this.name = 'ApiError';
    this.procedure = procedure;
    this.code = code;
    this.issues = issues;
  }
}

/** The server's base URL, from the page's: `/ui/` → `/`, also under a proxy's path prefix. */
export const serverUrl = new URL('../', document.baseURI);

/**
 * A client that sends `token` as a bearer token. `onUnauthorized` runs when the server refuses
 * the token (wrong, or revoked meanwhile), before the call rejects.
 */
export function createApi(token, onUnauthorized = () => undefined) {
  async function call(type, procedure, input) {
    const url = new URL(`trpc/${procedure}`, serverUrl);
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const json = input === undefined ? undefined : JSON.stringify(input);
    if (json !== undefined) url.searchParams.set('input', json);
    const asGet = type === 'query' && url.href.length <= longestGetUrl;
    if (!asGet) url.search = '';
    const init = asGet
      ? { method: 'GET', headers }
      : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: json };

    let response;
    try {
      response = await fetch(url, { ...init, cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new ApiError(procedure, 'NETWORK', 'The server did not answer. Is it running?');
    }
    const body = await response.json().catch(() => null);
    if (response.ok && body !== null && 'result' in body) return body.result.data;
    const code = body?.error?.data?.code ?? `HTTP_${response.status}`;
    const message = body?.error?.message ?? `The server answered ${response.status}.`;
    if (code === 'UNAUTHORIZED') onUnauthorized(message);
    throw new ApiError(procedure, code, message, body?.error?.data?.issues ?? []);
  }

  return {
    query: (procedure, input) => call('query', procedure, input),
    mutation: (procedure, input) => call('mutation', procedure, input),
  };
}

/** `/healthz`: needs no token. */
export async function fetchHealth() {
  try {
    const response = await fetch(new URL('healthz', serverUrl), { cache: 'no-store', credentials: 'omit' });
    return { httpStatus: response.status, ...(await response.json()) };
  } catch {
    return { httpStatus: 0, status: 'unreachable' };
  }
}
