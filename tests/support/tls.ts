import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A self-signed certificate for 127.0.0.1/localhost valid for `days`, made with the openssl
 * CLI; a string saying why when openssl is unavailable.
 */
export function makeSelfSignedCert(days = 2): { key: string; cert: string } | string {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'bw-cert-'));
    execFileSync(
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
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        String(days),
        '-subj',
        '/CN=bellwether-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch (err) {
    return `openssl CLI unavailable or failed (${(err as Error).message.split('\n')[0]})`;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
