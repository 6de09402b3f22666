import { EpisodicClientError } from './errors.js';

/** The tRPC endpoint of the server at `url` (`…/trpc`, whether or not `url` names it). */
export function apiUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/trpc') ? base : `${base}/trpc`;
}

/**
 * The endpoint and `authorization` header of a client's options, refused at creation when they
 * cannot work. A token read from an unset environment variable would otherwise go out as
 * `Bearer undefined` and come back as the server's "unauthorized" on every call, naming neither
 * the option nor the cause; a url without a scheme would fail each call as "unreachable".
 */
export function connection(options: { url: unknown; token: unknown }): {
  url: string;
  authorization: string;
} {
  if (typeof options.url !== 'string' || !URL.canParse(options.url))
    throw new EpisodicClientError(
      'INVALID_OPTIONS',
      `url: expected the server's address with its scheme, e.g. http://127.0.0.1:7777, got ${
        typeof options.url === 'string' ? JSON.stringify(options.url.slice(0, 200)) : describe(options.url)
      }`,
    );
  const { protocol } = new URL(options.url);
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new EpisodicClientError('INVALID_OPTIONS', `url: expected http: or https:, got ${protocol}`);
  // Trimmed: a token read from a file or a secret mount often ends in a newline.
  const token = typeof options.token === 'string' ? options.token.trim() : undefined;
  if (token === undefined || token === '')
    throw new EpisodicClientError(
      'INVALID_OPTIONS',
      `token: expected a token from \`episodic tokens create\`, got ${
        token === '' ? 'an empty string' : describe(options.token)
      }`,
    );
  // fetch refuses such a header on every call, with a message that names no option.
  if (/[\0-\x1f\x7f]|[^\0-\xff]/.test(token))
    throw new EpisodicClientError('INVALID_OPTIONS', 'token: contains a control or non-Latin-1 character');
  return { url: apiUrl(options.url), authorization: `Bearer ${token}` };
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined (an unset environment variable?)' : typeof value;
}
