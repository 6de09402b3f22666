import type { Migration } from './migration.js';

/**
 * Bearer tokens for the server. Only a SHA-256 of each secret is stored: the secrets are 32
 * random bytes, so a fast hash is enough (there is nothing to brute-force), and a stolen
 * database yields no usable token.
 */
export const v1_3_0: Migration = {
  version: '1.3.0',
  description: 'api_tokens: hashed bearer tokens with scopes and domains',
  statements: [
    `CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      secret_hash TEXT NOT NULL,
      scopes TEXT NOT NULL CHECK (json_valid(scopes)),
      domains TEXT CHECK (domains IS NULL OR json_valid(domains)),
      created_at DATETIME NOT NULL,
      last_used_at DATETIME,
      revoked_at DATETIME
    )`,
  ],
};
