// A small process that execs plugins for a bigger one, as a runtime does on a node. Node's
// spawn() costs grow with the parent's memory (its page tables are copied): from a test
// process holding the API test double, 1,000 spawns took 24 s of its CPU; from this one they
// are cheap. Protocol, one JSON object per line: in {id, file, env, input, timeoutMs}; out {id,
// exitCode, stdout, stderr} (exitCode -1 when it died by a signal, stderr naming it; a plugin
// still running after timeoutMs is killed, as execPlugin's are).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Job {
  id: number;
  file: string;
  env: Record<string, string>;
  input: string;
  timeoutMs: number;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const job = JSON.parse(line) as Job;
  const child = spawn(job.file, [], { env: job.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: job.timeoutMs, killSignal: 'SIGKILL' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('error', (error) => (stderr += `spawn failed: ${error.message}`));
  child.on('close', (code, signal) => {
    const exitCode = code ?? -1;
    const killed = signal === null ? '' : `killed by ${signal}${signal === 'SIGKILL' ? ` (still running after ${job.timeoutMs} ms?)` : ''}`;
    process.stdout.write(`${JSON.stringify({ id: job.id, exitCode, stdout, stderr: stderr + killed })}\n`);
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(job.input);
});
