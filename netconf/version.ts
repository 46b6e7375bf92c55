import { CniCode, CniError } from './errors.ts';

/** Versions whose results we read and write; 1.1.0 is what we speak natively. */
export const supportedVersions = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof supportedVersions)[number];
export const currentVersion: CniVersion = '1.1.0';

export function isSupportedVersion(version: string): version is CniVersion {
  return (supportedVersions as readonly string[]).includes(version);
}

/** Orders dotted versions numerically ("0.10.0" > "0.4.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** The spec's minimum version for each verb; older configs get code 1 for it. */
const minimumVersionFor: Record<string, string> = { CHECK: '0.4.0', GC: '1.1.0', STATUS: '1.1.0' };

export function assertVersionAllows(command: string, version: string): void {
  const minimum = minimumVersionFor[command];
  if (minimum !== undefined && compareVersions(version, minimum) < 0) {
    throw new CniError(
      CniCode.IncompatibleVersion,
      `cniVersion: ${JSON.stringify(version)} does not support ${command} (needs ${minimum} or later)`,
    );
  }
}

export function versionOutput(): { cniVersion: CniVersion; supportedVersions: string[] } {
  return { cniVersion: currentVersion, supportedVersions: [...supportedVersions] };
}
