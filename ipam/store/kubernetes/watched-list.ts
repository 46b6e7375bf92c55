import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

export interface WatchedListOptions<T extends KubernetesObject> {
  /** What the list is, for log lines. */
  what: string;
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  onChange?: (object: T) => void;
  onDelete?: (object: T) => void;
  log: (line: string) => void;
}

export interface WatchedList<T extends KubernetesObject> {
  /** The cached object, or undefined (unknown or not listed yet). */
  get(name: string, namespace?: string): T | undefined;
  items(): readonly T[];
  /** Resolves after the first complete list. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

const retryDelaysMs = [250, 500, 1000, 2000, 5000];

/**
 * client-node's ListWatch (list, then watch; relist on 410) kept alive: a ListWatch stops for
 * good on any other error, e.g. an API server restart, so this restarts it with a backoff
 * until `stop()`. While it is away the cache keeps its last state: reads stay available, and
 * every decision that matters is still a compare-and-swap on the API.
 */
export function startWatchedList<T extends KubernetesObject>(kc: KubeConfig, options: WatchedListOptions<T>): WatchedList<T> {
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const list = async () => {
    const answer = await options.list();
    failures = 0;
    markSynced();
    return answer;
  };
  const watch = new ListWatch<T>(options.path, new Watch(kc), list, false, options.labelSelector, options.fieldSelector);
  if (options.onChange) {
    watch.on('add', options.onChange);
    watch.on('update', options.onChange);
  }
  if (options.onDelete) watch.on('delete', options.onDelete);
  watch.on('error', (error: unknown) => {
    if (stopped) return;
    const delay = retryDelaysMs[Math.min(failures++, retryDelaysMs.length - 1)]!;
    options.log(`watch of ${options.what} failed (${error instanceof Error ? error.message : String(error)}); again in ${delay} ms`);
    timer = setTimeout(() => void watch.start(), delay);
  });
  void watch.start();

  return {
    get: (name, namespace) => watch.get(name, namespace),
    items: () => watch.list(),
    synced,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await watch.stop();
    },
  };
}
