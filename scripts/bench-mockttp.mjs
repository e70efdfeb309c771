/**
 * The benchmark's peer: mockttp, the Node mock server many use as an
 * in-memory request sink in tests. Every request is answered 200 with a small
 * JSON body and kept (mockttp records what each rule matched), as a test
 * would set it up. Run as its own process by `scripts/bench.mjs`; prints
 * `listening <port>` once it accepts connections.
 */
import { getLocal } from 'mockttp';

const server = getLocal();
// mockttp takes a port range, not 0: the first free port from 8000 up.
await server.start();
// Its Content-Length given: a reply with headers of its own has none otherwise, and ends only when the connection closes.
const endpoint = await server.forAnyRequest().thenReply(200, '{"ok":true}', { 'content-type': 'application/json', 'content-length': '11' });
process.stdout.write(`listening ${server.port}\n`);

process.on('SIGTERM', async () => {
  // Reading what was kept is part of a sink's job; it also shows nothing was dropped.
  const seen = await endpoint.getSeenRequests();
  process.stderr.write(`mockttp kept ${seen.length} requests\n`);
  await server.stop();
  process.exit(0);
});
