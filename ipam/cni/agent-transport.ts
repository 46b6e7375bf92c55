import { request } from 'node:http';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { untrustedSocketDir } from '../agent/socket-dir.ts';

// One request to the node agent over its unix socket, for the plugins (nicpool-ipam's verbs,
// nicpool-router's pod routing question). Loaded by dynamic import only when an agent is
// used, so the local paths never pay for node:http.

// Errors that mean the agent is not there (yet, or any more): the runtime should retry.
const unreachable = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export interface AgentAnswer {
  status: number;
  json: unknown;
}

// Errors that prove the request never reached an agent: safe to send again.
const notThereYet = new Set(['ENOENT', 'ECONNREFUSED']);

/**
 * Sends `body` (if any) and reads a JSON answer; transport failures are CniErrors (code 11 when
 * unreachable). An agent that is not there (yet) — restarting, or reconciling before it opens
 * its socket — is waited for up to `waitForAgentMs`, so that pods are not failed (and their
 * runtime's retries piled up) for a gap of seconds.
 */
export async function askAgent(socketPath: string, method: 'GET' | 'POST', path: string, body: string | undefined, timeoutMs: number, waitForAgentMs = 0): Promise<AgentAnswer> {
  const giveUpAt = Date.now() + waitForAgentMs;
  for (let attempt = 0; ; attempt++) {
    // Code 7: a socket directory others can write is a configuration to fix, not a wait.
    const untrusted = untrustedSocketDir(socketPath);
    if (untrusted !== undefined) throw new CniError(CniCode.InvalidConfig, `nicpool agent at ${socketPath}: ${untrusted}`);
    try {
      return await exchange(socketPath, method, path, body, timeoutMs);
    } catch (error) {
      const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
      if (code === undefined || !notThereYet.has(code) || Date.now() >= giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt, Math.max(0, giveUpAt - Date.now()))));
    }
  }
}

function exchange(socketPath: string, method: 'GET' | 'POST', path: string, body: string | undefined, timeoutMs: number): Promise<AgentAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException | CniError) => {
      clearTimeout(timer);
      if (error instanceof CniError) return reject(error);
      const failure = unreachable.has(error.code ?? '')
        ? new CniError(CniCode.TryAgainLater, `nicpool agent at ${socketPath} is unreachable (${error.code}); try again later`)
        : new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath}: ${error.message}`);
      reject(Object.assign(failure, { cause: error }));
    };
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    // agent: false — one connection per invocation, closed after the answer, so nothing keeps
    // the plugin alive and the agent's shutdown never waits for an idle connection of ours.
    const req = request({ socketPath, path, method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          fail(new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath} answered ${res.statusCode} with a body that is not JSON`));
        }
      });
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}
