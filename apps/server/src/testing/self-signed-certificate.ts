import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface Certificate {
  certPath: string;
  keyPath: string;
}

/**
 * A throwaway certificate for 127.0.0.1 and localhost, made with the `openssl` CLI in `dir`.
 * Returns `{ skipped }`, with the reason, when `openssl` is not installed, so a test can skip and say why.
 */
export function createSelfSignedCertificate(dir: string): Certificate | { skipped: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  if (result.error !== undefined) return { skipped: `openssl is not available: ${result.error.message}` };
  if (result.status !== 0) return { skipped: `openssl failed: ${result.stderr}` };
  return { certPath, keyPath };
}
