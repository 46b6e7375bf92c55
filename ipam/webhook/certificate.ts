import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface CertificateAndKey {
  /** PEM. */
  cert: string;
  /** PEM (PKCS#8). */
  key: string;
}

// DNS names as Service names spell them (service.namespace.svc…), optionally a leading wildcard.
// Checked because they are written into openssl's config file.
const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A self-signed certificate for the webhook's Service, for labs and tests; a cluster would
 * rather use cert-manager. It is its own CA, so the webhook's caBundle is the certificate itself.
 * EC P-256: generated in milliseconds, accepted by the API server (Go) and by Node.
 */
export async function generateSelfSignedCertificate(options: { dnsNames: string[]; days?: number }): Promise<CertificateAndKey> {
  const { dnsNames, days = 365 } = options;
  if (dnsNames.length === 0) throw new Error('certificate: dnsNames must name at least one DNS name');
  for (const name of dnsNames) {
    if (!DNS_NAME.test(name)) throw new Error(`certificate: dnsNames: ${JSON.stringify(name)} is not a DNS name`);
  }
  if (!Number.isInteger(days) || days < 1) throw new Error(`certificate: days: ${days} is not a positive integer`);
  const dir = await mkdtemp(join(tmpdir(), 'nicpool-cert-'));
  try {
    const config = join(dir, 'openssl.cnf');
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    // Our own config, not the system's: its defaults (and their extensions) differ by distribution.
    await writeFile(config, opensslConfig(dnsNames), { mode: 0o600 });
    await execa('openssl', [
      'req', '-x509', '-config', config, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', String(days),
    ]);
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function opensslConfig(dnsNames: string[]): string {
  return [
    '[req]', 'prompt = no', 'distinguished_name = dn', 'x509_extensions = ext',
    '[dn]', `CN = ${dnsNames[0]}`,
    '[ext]',
    // Go (the API server) ignores the CN: the names must be in subjectAltName.
    `subjectAltName = ${dnsNames.map((name) => `DNS:${name}`).join(',')}`,
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, digitalSignature, keyCertSign',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

/**
 * Reads a PEM certificate and key (a mounted Secret) and checks they belong together, so a
 * mismatch fails at start with the paths named rather than at the API server's first handshake.
 */
export async function loadCertificate(certPath: string, keyPath: string): Promise<CertificateAndKey> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new Error(`certificate: ${certPath} or ${keyPath} is not PEM (${(error as Error).message})`);
  }
  if (!matches) throw new Error(`certificate: the key ${keyPath} does not belong to the certificate ${certPath}`);
  return { cert, key };
}
