/**
 * Runs tasks with the same key one after another and different keys in parallel: the agent
 * serializes the verbs of one pod (its NICs and sandboxes share one Endpoint record).
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.#tails.set(key, tail);
    // The map holds only keys with work pending.
    void tail.then(() => this.#tails.get(key) === tail && this.#tails.delete(key));
    return run;
  }
}
