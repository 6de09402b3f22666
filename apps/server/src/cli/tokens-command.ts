import { type ApiToken, type Memory, type TokenScope, tokenScopes } from '@episodic/core';
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

function row(token: ApiToken): string[] {
  return [
    token.id,
    token.name,
    token.scopes.join(','),
    token.domains === null ? '*' : token.domains.join(','),
    token.createdAt,
    token.lastUsedAt ?? '-',
    token.revokedAt ?? '-',
  ];
}

/** Once the operator has an admin token of their own (or revoked the first), the first-start token file goes. */
async function retireFirstToken(args: CommandArgs, memory: Memory): Promise<void> {
  const retired = await retireBootstrapTokenFile(memory, resolveLocations(args.config).adminTokenFile);
  if (retired !== null) note(retired);
}

/** `episodic tokens create|list|revoke`, on the same store `serve` would open. */
export async function tokensCommand(args: CommandArgs): Promise<void> {
  const [action, id] = args.positionals;
  const memory = await openStore(args.config, { embeddings: false, learning: false });
  try {
    switch (action) {
      case 'create': {
        const name = stringOption(args, 'name');
        if (name === undefined) throw new ServerError('USAGE', 'tokens create needs --name NAME.');
        const scopes = list(stringOption(args, 'scopes'));
        const unknown = scopes?.filter((scope) => !(tokenScopes as readonly string[]).includes(scope)) ?? [];
        if (unknown.length > 0) {
          throw new ServerError(
            'USAGE',
            `Unknown scope ${unknown.join(', ')}: use ${tokenScopes.join(', ')}.`,
          );
        }
        const { token, bearer } = await memory.tokens.create({
          name,
          scopes: scopes as TokenScope[] | undefined,
          domains: list(stringOption(args, 'domains')) ?? null,
        });
        note(
          `Created token ${token.id} "${token.name}" (scopes ${token.scopes.join(',')}; domains ` +
            `${token.domains?.join(',') ?? 'all'}). It is shown only now:`,
        );
        if (flag(args, 'json')) printJson({ token, bearer });
        else print(bearer);
        await retireFirstToken(args, memory);
        return;
      }
      case 'list': {
        const tokens = await memory.tokens.list();
        if (flag(args, 'json')) printJson(tokens);
        else
          print(
            table([
              ['ID', 'NAME', 'SCOPES', 'DOMAINS', 'CREATED', 'LAST USED', 'REVOKED'],
              ...tokens.map(row),
            ]),
          );
        return;
      }
      case 'revoke': {
        if (id === undefined)
          throw new ServerError('USAGE', 'tokens revoke needs the token ID (see `episodic tokens list`).');
        const token = await memory.tokens.revoke(id);
        if (flag(args, 'json')) printJson(token);
        else print(`Revoked token ${token.id} "${token.name}" at ${token.revokedAt}.`);
        await retireFirstToken(args, memory);
        return;
      }
      default:
        throw new ServerError(
          'USAGE',
          `Unknown tokens action "${action ?? ''}": use create, list or revoke.`,
        );
    }
  } finally {
    await memory.close();
  }
}
