import { Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware } from '@kubernetes/client-node';

/**
 * Per-request options that abort a call after `timeoutMs`: an agent must answer the runtime
 * with "try again later" rather than hang on an API server that accepts and never answers.
 * The signal is made when the request is about to be sent, so the clock starts per request
 * (not when the options were built) and covers reading the response body too.
 */
export function timeoutOptions(timeoutMs: number): ConfigurationOptions<ObservableMiddleware> {
  return {
    middleware: [
      {
        pre: (request) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(request));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    // Keep the KubeConfig's own middleware (auth) and add ours after it.
    middlewareMergeStrategy: 'append',
  };
}
