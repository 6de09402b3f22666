import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ServerError } from '../errors/server-error.js';

const certSetting = '--tls-cert (EPISODIC_TLS_CERT)';
const keySetting = '--tls-key (EPISODIC_TLS_KEY)';

function read(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ServerError('TLS', `${setting} ${path}: cannot read it: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Runs `check`; what OpenSSL says against the file becomes a one-line error naming the setting. */
function checkFile(setting: string, path: string, what: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    throw new ServerError('TLS', `${setting} ${path}: not ${what} (${(error as Error).message}).`, {
      cause: error,
    });
  }
}

/**
 * Reads the certificate and key for HTTPS and checks them before the server is created: each file
 * on its own (so a swapped or non-PEM file is named), then as a pair. Node's own check happens
 * only in `https.createServer`, with an OpenSSL message that names neither file.
 */
export function loadTls(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const cert = read(certSetting, certPath);
  const key = read(keySetting, keyPath);
  checkFile(certSetting, certPath, 'a PEM certificate', () => new X509Certificate(cert));
  checkFile(keySetting, keyPath, 'a PEM private key', () => createPrivateKey(key));
  checkFile(keySetting, keyPath, `the private key of the certificate in ${certPath}`, () =>
    createSecureContext({ cert, key }),
  );
  return { cert, key };
}
