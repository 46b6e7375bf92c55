import { CniCode, CniError } from '../../netconf/errors.ts';
import { PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { assertVersionAllows, isSupportedVersion, type CniVersion } from '../../netconf/version.ts';

/** Decodes the netconf on stdin and checks its cniVersion against the verb. */
export function parsePluginConf(stdin: string, command: string): PluginConf & { cniVersion: CniVersion } {
  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch (error) {
    throw new CniError(CniCode.DecodeFailure, `stdin: netconf is not valid JSON (${(error as Error).message})`);
  }
  const conf = parseOrThrow(PluginConf, json);
  if (!isSupportedVersion(conf.cniVersion)) {
    throw new CniError(CniCode.IncompatibleVersion, `cniVersion: ${JSON.stringify(conf.cniVersion)} is not supported (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)`);
  }
  assertVersionAllows(command, conf.cniVersion);
  return conf as PluginConf & { cniVersion: CniVersion };
}

/** The version an error is reported in: the config's if we could read one. */
export function versionForError(stdin: string | undefined): string {
  try {
    const version = (JSON.parse(stdin ?? '') as { cniVersion?: unknown }).cniVersion;
    return typeof version === 'string' && isSupportedVersion(version) ? version : '1.1.0';
  } catch {
    return '1.1.0';
  }
}
