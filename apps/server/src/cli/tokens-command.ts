import {
  type ApiToken,
  type CreateTokenInput,
  type Memory,
  type TokenScope,
  tokenScopes,
} from '@episodic/core';
import { retireBootstrapTokenFile } from '../auth/bootstrap-token.js';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag, stringOption } from './command-args.js';
import { note, print, printJson, table } from './output.js';

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}

/**
 * A domain as it reads in the table: quoted unless plainly a name, so a token limited to a domain
 * called `*`, `all` or `a,b` never reads like a token of every domain or of two.
 */
function domainLabel(domain: string): string {
  return /^[\p{L}\p{N}._:/@+-]+$/u.test(domain) && domain !== 'all' ? domain : JSON.stringify(domain);
}

function row(token: ApiToken): string[] {
  return [
    token.id,
    token.name,
    token.scopes.join(','),
    token.domains === null ? 'all' : token.domains.map(domainLabel).join(','),
    token.createdAt,
    token.lastUsedAt ?? '-',
    token.revokedAt ?? '-',
  ];
}

/** `tokens create`'s flags, checked before the store opens. */
function createInput(args: CommandArgs): CreateTokenInput {
  const name = stringOption(args, 'name');
  if (name === undefined) throw new ServerError('USAGE', 'tokens create needs --name NAME.');
  const scopes = list(stringOption(args, 'scopes'));
  const unknown = scopes?.filter((scope) => !(tokenScopes as readonly string[]).includes(scope)) ?? [];
  if (unknown.length > 0)
    throw new ServerError('USAGE', `Unknown scope ${unknown.join(', ')}: use ${tokenScopes.join(', ')}.`);
  return {
    name,
    scopes: scopes as TokenScope[] | undefined,
    domains: list(stringOption(args, 'domains')) ?? null,
  };
}

/** Once the operator has an admin token of their own (or revoked the first), the first-start token file goes. */
async function retireFirstToken(args: CommandArgs, memory: Memory): Promise<void> {
  const retired = await retireBootstrapTokenFile(memory, resolveLocations(args.config).adminTokenFile);
  if (retired !== null) note(retired);
}

/**
 * What `tokens ACTION` does once the store is open, its flags checked before: opening creates a
 * store where there was none, which a mistyped action or a missing flag should not.
 */
function tokenAction(args: CommandArgs, action: string | undefined, id: string | undefined) {
  switch (action) {
    case 'create': {
      const input = createInput(args);
      return async (memory: Memory) => {
        const { token, bearer } = await memory.tokens.create(input);
        note(
          `Created token ${token.id} "${token.name}" (scopes ${token.scopes.join(',')}; domains ` +
            `${token.domains?.join(',') ?? 'all'}). It is shown only now:`,
        );
        if (flag(args, 'json')) printJson({ token, bearer });
        else print(bearer);
        await retireFirstToken(args, memory);
      };
    }
    case 'list':
      return async (memory: Memory) => {
        const tokens = await memory.tokens.list();
        if (flag(args, 'json')) printJson(tokens);
        else
          print(
            table([
              ['ID', 'NAME', 'SCOPES', 'DOMAINS', 'CREATED', 'LAST USED', 'REVOKED'],
              ...tokens.map(row),
            ]),
          );
      };
    case 'revoke': {
      if (id === undefined)
        throw new ServerError('USAGE', 'tokens revoke needs the token ID (see `episodic tokens list`).');
      return async (memory: Memory) => {
        const token = await memory.tokens.revoke(id);
        if (flag(args, 'json')) printJson(token);
        else print(`Revoked token ${token.id} "${token.name}" at ${token.revokedAt}.`);
        await retireFirstToken(args, memory);
      };
    }
    default:
      throw new ServerError('USAGE', `Unknown tokens action "${action ?? ''}": use create, list or revoke.`);
  }
}

/** `episodic tokens create|list|revoke`, on the same store `serve` would open. */
export async function tokensCommand(args: CommandArgs): Promise<void> {
  const [action, id] = args.positionals;
  const run = tokenAction(args, action, id);
  const memory = await openStore(args.config, { embeddings: false, learning: false });
  try {
    await run(memory);
  } finally {
    await memory.close();
  }
}
