import { ApiException } from '@kubernetes/client-node';
import { CniCode, CniError } from '../../../netconf/errors.ts';

/**
 * How a failed API call is classified. `status` is an HTTP answer; `transport` is no answer
 * at all (refused, reset, timed out): the caller may only say "try again later", since it
 * cannot know whether the API server applied a write.
 */
export type ApiFailure = { kind: 'status'; code: number; message: string } | { kind: 'transport'; message: string };

const TRANSPORT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function classifyFailure(error: unknown): ApiFailure | undefined {
  if (error instanceof ApiException) return { kind: 'status', code: error.code, message: statusMessage(error.body) };
  if (!(error instanceof Error)) return undefined;
  // AbortSignal.timeout() aborts fetch with a DOMException named TimeoutError.
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return { kind: 'transport', message: 'the request timed out' };
  const cause: unknown = error.cause;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  if (code !== undefined && (TRANSPORT_CODES.has(code) || code.startsWith('UND_ERR'))) return { kind: 'transport', message: `${code} (${cause instanceof Error ? cause.message : ''})` };
  // undici wraps every connection-level failure as TypeError('fetch failed').
  if (error instanceof TypeError && error.message === 'fetch failed') return { kind: 'transport', message: cause instanceof Error ? cause.message : error.message };
  return undefined;
}

/** The message of the metav1.Status the API answered with, or the raw text if it is not one. */
function statusMessage(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The CniError for a failure that is not an expected outcome (404/409 are handled by the
 * caller). No answer, a 5xx or a 429 is transient: code 11, so the runtime retries rather than
 * acting on a wrong answer. Any other 4xx is a request the API refused: code 5 with its reason.
 */
export function failureToCniError(error: unknown, server: string, what: string): CniError | undefined {
  const failure = classifyFailure(error);
  if (failure === undefined) return undefined;
  if (failure.kind === 'transport') {
    return new CniError(CniCode.TryAgainLater, `Kubernetes API server ${server} unreachable while ${what}: ${failure.message}; try again later`);
  }
  if (failure.code >= 500 || failure.code === 429) {
    return new CniError(CniCode.TryAgainLater, `Kubernetes API server ${server} answered ${failure.code} while ${what}: ${failure.message}; try again later`);
  }
  return new CniError(CniCode.IoFailure, `Kubernetes API server ${server} refused ${what} (${failure.code}): ${failure.message}`);
}
