// A tiny TCP peer for reachability checks inside namespaces (run with `ip netns exec`):
//   tcp-probe.ts serve <ip> <port>    prints "listening", answers each line with "echo:<line>",
//                                     and exits when stdin closes (its parent went away).
//   tcp-probe.ts connect <ip> <port>  sends "ping", prints the answer; exit 1 on error or 2 s.
import { connect, createServer } from 'node:net';

const [mode, host, portText] = process.argv.slice(2);
const port = Number(portText);
if (host === undefined || !Number.isInteger(port)) throw new Error('usage: tcp-probe.ts serve|connect <ip> <port>');

if (mode === 'serve') {
  const server = createServer((socket) => socket.on('data', (data) => socket.end(`echo:${data.toString().trim()}\n`)));
  server.listen(port, host, () => process.stdout.write('listening\n'));
  process.stdin.on('end', () => process.exit(0)).resume();
} else {
  const socket = connect({ host, port, timeout: 2000 }, () => socket.write('ping\n'));
  socket.on('data', (data) => {
    process.stdout.write(data);
    process.exit(0);
  });
  socket.on('timeout', () => process.exit(1));
  socket.on('error', () => process.exit(1));
}
