/**
 * The benchmark's baseline: the least a webhook receiver can do with bare
 * `node:http` — read the whole body, answer 200 with a small JSON body.
 * Run as its own process by `scripts/bench.mjs` so its RSS is its own.
 * Prints `listening <port>` once it accepts connections.
 */
import { createServer } from 'node:http';

const REPLY = '{"ok":true}';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    // Held like a receiver would before looking at it; then dropped.
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': REPLY.length });
    res.end(REPLY);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
