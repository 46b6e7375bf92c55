import { readFileSync, writeSync } from 'node:fs';

// Plain file-descriptor I/O: touching process.stdin/stdout builds stream objects and loads
// ~40 internal modules, several milliseconds of every plugin start. A plugin reads one
// document and writes one line.

/** All of stdin; the runtime closes it after the netconf. */
export function readStdin(): string {
  return readFileSync(0, 'utf8');
}

export function writeStdout(text: string): void {
  writeSync(1, text);
}

export function writeStderr(text: string): void {
  writeSync(2, text);
}
