import { rmSync, writeFileSync } from 'node:fs';
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
