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
 * lying in the data folder is only a risk. Returns whether the file was deleted.
 */
export async function retireBootstrapTokenFile(memory: Memory, file: string): Promise<boolean> {
  let bearer: string;
  try {
    bearer = readFileSync(file, 'utf8').trim();
  } catch {
    return false; // already gone (or never written)
  }
  // `ep_<id>_<secret>`: the id names the token's row.
  const id = bearer.split('_')[1];
  const active = (await memory.tokens.list()).filter((token) => token.revokedAt === null);
  const own = active.some((token) => token.id === id);
  const otherAdmin = active.some((token) => token.id !== id && token.scopes.includes('admin'));
  if (own && !otherAdmin) return false;
  rmSync(file, { force: true });
  return true;
}
