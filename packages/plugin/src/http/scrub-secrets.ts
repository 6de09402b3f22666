/** Anything shaped like a key or a bearer token: `sk-…`, `key_…`, `Bearer …`. */
const keyShaped = /\b(sk|key|Bearer)[-_ ][A-Za-z0-9_*.-]{6,}/g;

/**
 * Text a server sent back, safe to put in an error message: each secret, and anything shaped
 * like a key, replaced by `[redacted]` (servers echo keys back: "Incorrect API key provided:
 * sk-…"), and cut to 300 characters.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret !== '') scrubbed = scrubbed.split(secret).join('[redacted]');
  }
  return scrubbed.replace(keyShaped, '[redacted]').slice(0, 300);
}
