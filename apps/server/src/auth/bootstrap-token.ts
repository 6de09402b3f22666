import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Memory } from '@episodic/core';

/**
 * On a store that never had a token, creates an admin token so the operator is not locked out,
 * and writes it to `file` (mode 0600). Returns the file's path, or `null` when tokens exist:
 * revoking every token must not make the server mint a new one.
 */
export async function bootstrapAdminToken(memory: Memory, file: string): Promise<string | null> {
  if ((await memory.tokens.count()) > 0) return null;
  const { bearer } = await memory.tokens.create({ name: 'first admin', scopes: ['read', 'write', 'admin'] });
  // A file left by an earlier store holds a token this store does not know: replace it, never append.
  rmSync(file, { force: true });
  writeFileSync(file, `${bearer}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}

/**
 * Deletes the first-start token file once another admin token exists (or its own token is
 * revoked): from then on the operator has a token of their own, and a plaintext admin secret
 * lying in the data folder is only a risk. Returns why the file was deleted, as a note for the
 * operator, or `null` when it was kept (or was not there).
 */
export async function retireBootstrapTokenFile(memory: Memory, file: string): Promise<string | null> {
  let bearer: string;
  try {
    bearer = readFileSync(file, 'utf8').trim();
  } catch {
    return null; // already gone (or never written)
  }
  // `ep_<id>_<secret>`: the id names the token's row.
  const id = bearer.split('_')[1];
  const tokens = await memory.tokens.list();
  const active = tokens.filter((token) => token.revokedAt === null);
  const own = active.some((token) => token.id === id);
  const otherAdmin = active.some((token) => token.id !== id && token.scopes.includes('admin'));
  if (own && !otherAdmin) return null;
  rmSync(file, { force: true });
  // Said as it is: an operator who revoked the first token may have no admin token left.
  const reason = own
    ? 'another admin token exists'
    : tokens.some((token) => token.id === id)
      ? 'its token is revoked'
      : "its token is not one of this store's";
  const noAdminLeft = otherAdmin
    ? ''
    : ' No admin token is left: create one with `episodic tokens create --name NAME --scopes read,write,admin`.';
  return `Deleted the first-start admin token file ${file}: ${reason}.${noAdminLeft}`;
}
