/**
 * CNI error codes (spec §"Error"), plus ours from 100 up. Every failure a plugin reports is a
 * CniError: thrown once where it is detected, printed once by the plugin entry.
 */
export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  // STATUS only
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
  // nicpool's own
  PoolExhausted: 100,
  NoPoolMatched: 101,
  IpUnavailable: 102,
  CheckFailed: 103,
  IpConflict: 110,
  GatewayUnreachable: 111,
  Internal: 199,
} as const;

export class CniError extends Error {
  readonly code: number;
  readonly details: string | undefined;

  constructor(code: number, msg: string, details?: string) {
    super(msg);
    this.name = 'CniError';
    this.code = code;
    this.details = details;
  }

  /** The error object of the CNI spec, as printed on stdout. */
  toJSON(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return {
      cniVersion,
      code: this.code,
      msg: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Wraps anything thrown into a CniError; unknown failures keep their message, not their stack. */
export function asCniError(error: unknown): CniError {
  if (error instanceof CniError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CniError(CniCode.Internal, `internal error: ${message}`);
}
