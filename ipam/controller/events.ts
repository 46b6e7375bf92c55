import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';

/** The object an Event is about. A cluster-scoped one (no namespace) has its Events in "default", as kubectl looks for them. */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventRecorder {
  /**
   * Writes a core/v1 Event, once per (target, message): the same message again for the same
   * object is not repeated (until this process restarts). A failed write is logged, never thrown.
   */
  say(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export function eventRecorder(kc: KubeConfig, log: (line: string) => void): EventRecorder {
  const core = kc.makeApiClient(CoreV1Api);
  const said = new Map<string, string>(); // kind/namespace/name (or uid) → last message
  return {
    async say(target, type, reason, message) {
      const key = target.uid ?? `${target.kind}/${target.namespace ?? ''}/${target.name}`;
      if (said.get(key) === message) return;
      said.set(key, message);
      const namespace = target.namespace ?? 'default';
      try {
        await core.createNamespacedEvent(
          {
            namespace,
            body: {
              metadata: { generateName: `${target.name}.`, namespace },
              involvedObject: { ...target },
              reason,
              message,
              type,
              source: { component: 'nicpool-controller' },
            },
          },
          timeoutOptions(10_000),
        );
      } catch (error) {
        const failure = classifyFailure(error);
        if (!(failure?.kind === 'status' && (failure.code === 409 || failure.code === 404))) log(`Event on ${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}: ${(error as Error).message}`);
      }
    },
  };
}
