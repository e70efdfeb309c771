/**
 * The anonymous sender's attacks of the hostile corpus: what anybody who
 * knows a bin URL (through a tunnel) can send, and what a relayed app can
 * answer. Each case must get an answer or a clean close, never a held socket
 * or a stalled server, and what hookbin recorded must be what it answered.
 * Also the socket check: after 1,000 hostile connections have come and gone,
 * the process holds no more sockets than before.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { crlf, exchange, req } from './corpus-wire.mjs';

/**
 * Sockets this process holds on the server's side of `port` (accepted
 * connections, not the listener), read from /proc on Linux; null elsewhere.
 * Counting by port keeps the client side and fetch's keep-alive pool out.
 */
export function serverSocketCount(port) {
  try {
    const inodes = new Set();
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // The fd closed between the listing and the read.
      }
    }
    let n = 0;
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text = '';
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10) continue;
        const localPort = parseInt(f[1].split(':')[1], 16);
        // 0A is LISTEN: the listener itself, not a connection.
        if (localPort === port && f[3] !== '0A' && inodes.has(f[9])) n++;
      }
    }
    return n;
  } catch {
    return null;
  }
}

const head = (r) => r.data.subarray(0, Math.max(0, r.data.indexOf('\r\n\r\n'))).toString('latin1');
const hasHeader = (r, name) => new RegExp(`^${name}:`, 'im').test(head(r));
const headerCount = (r, prefix) => head(r).split('\r\n').filter((l) => l.toLowerCase().startsWith(prefix)).length;

/**
 * A hostile app's replies behind a relaying bin, by the path the bin
 * forwards to: the bytes it writes, the status the provider must get, and
 * what else must hold of the answer (`check`) and of the recorded one
 * (`reason`: a pattern its reason must match).
 */
const HOSTILE_REPLIES = {
  'ctl-in-header': {
    reply: () => Buffer.from('HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok', 'latin1'),
    status: 200,
    check: (r) => !hasHeader(r, 'x-bad') && r.data.toString('latin1').endsWith('ok'),
    reason: /X-Bad/,
  },
  'del-in-header': { reply: () => Buffer.from('HTTP/1.1 200 OK\r\nX-Bad: a\x7fb\r\nContent-Length: 2\r\n\r\nok', 'latin1'), status: 200, check: (r) => !hasHeader(r, 'x-bad'), reason: /X-Bad/ },
  // obs-text (0x80-0xFF) is allowed in a field value: passed on as it came, the name as the app wrote it.
  'c1-in-header': { reply: () => Buffer.from('HTTP/1.1 200 OK\r\nX-C1: a\x85\x9bb\r\nContent-Length: 2\r\n\r\nok', 'latin1'), status: 200, check: (r) => head(r).includes('X-C1: a\x85\x9bb') },
  'bad-header-name': { reply: () => Buffer.from('HTTP/1.1 200 OK\r\nX Bad: v\r\nContent-Length: 2\r\n\r\nok', 'latin1'), status: 502 },
  // Every pair passed on (Node would keep the first 1,000 or so)...
  '2000-headers': {
    reply: () => Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(Array.from({ length: 2000 }, (_, i) => `x-${i}: v\r\n`).join('')), Buffer.from('Content-Length: 2\r\n\r\nok')]),
    status: 200,
    check: (r) => head(r).split('\r\n').filter((l) => /^x-\d+:/i.test(l)).length === 2000,
  },
  // ...but a reply head past the HTTP parser's limit is no reply.
  'header-overflow': {
    reply: () => Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(Array.from({ length: 50_000 }, (_, i) => `x-${i}: v\r\n`).join('')), Buffer.from('Content-Length: 2\r\n\r\nok')]),
    status: 502,
  },
  'short-body': { reply: () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b', 'latin1'), status: 502 },
  'te-and-cl': { reply: () => Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\nok\r\n0\r\n\r\n', 'latin1'), status: 502 },
  'status-999': { reply: () => Buffer.from('HTTP/1.1 999 Nope\r\nContent-Length: 2\r\n\r\nok', 'latin1'), status: 502 },
  'status-101': { reply: () => Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n', 'latin1'), status: 502 },
  'not-http': { reply: () => Buffer.from('\x16\x03\x01 not http at all\r\n\r\n', 'latin1'), status: 502 },
  'html-script': {
    reply: () => {
      const body = '<script>fetch("/api/bins").then(r=>r.text()).then(t=>document.title=t)</script>';
      return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Security-Policy: default-src *\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
    },
    status: 200,
    // The app's own CSP is replaced, not added beside hookbin's.
    check: (r) => headerCount(r, 'content-security-policy:') === 1,
  },
  'set-cookie-flood': {
    reply: () => Buffer.from(`HTTP/1.1 200 OK\r\n${'Set-Cookie: a=b; Path=/\r\n'.repeat(300)}Clear-Site-Data: "storage"\r\nContent-Length: 2\r\n\r\nok`, 'latin1'),
    status: 200,
    check: (r) => !hasHeader(r, 'set-cookie') && !hasHeader(r, 'clear-site-data'),
    reason: /Set-Cookie/,
  },
  reset: { reply: null, status: 502 },
};

/** A raw TCP "app" that answers each forwarded request with the hostile reply its path names. */
export function startHostileApp() {
  return new Promise((resolve) => {
    const sockets = new Set();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      let head = '';
      socket.on('data', (chunk) => {
        if (head.includes('\r\n\r\n')) return;
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const name = /^[A-Z]+ \/(?:[^/ ]*\/)*([a-z0-9-]+)/.exec(head)?.[1];
        const reply = HOSTILE_REPLIES[name]?.reply;
        if (!reply) socket.destroy();
        else socket.end(reply());
      });
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      }),
    );
  });
}

/**
 * The attack cases, for bins made by `prepareAttackBins`. Each case has the
 * bytes to send and `ok(result)`; `recorded: true` asks the runner to check
 * that the capture's stored answer has the status the sender got.
 */
export function attackCases({ bin, redosBin, relayBin }) {
  const cases = [];
  const add = (group, name, send, ok, extra = {}) => cases.push({ group, name, send, ok, ...extra });
  // Held sockets show as 'silent' with no status: the case fails.
  const answeredOrClosed = (r) => (r.status !== null && r.status < 500) || (r.status === null && r.how === 'closed');
  const sandboxed = (r) => /^content-security-policy: *sandbox/im.test(r.data.toString('latin1')) && /^x-content-type-options: *nosniff/im.test(r.data.toString('latin1'));

  // 1. Upgrades other than a WebSocket, anywhere: answered or closed, never held.
  const upgrades = [
    ['h2c to a bin', `/b/${bin}/up`, ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']],
    ['h2c to a bin with a body', `/b/${bin}/up`, ['Connection: Upgrade', 'Upgrade: h2c', 'Content-Type: application/json'], '{"id":"evt_up"}'],
    ['websocket to a bin', `/b/${bin}/ws`, ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']],
    ['foo/1 to the inspector', '/', ['Connection: Upgrade', 'Upgrade: foo/1']],
    ['h2c to the API', '/api/bins', ['Connection: Upgrade', 'Upgrade: h2c']],
    ['h2c to the live feed', '/api/ws', ['Connection: Upgrade', 'Upgrade: h2c']],
    ['TLS to a bin', `/b/${bin}`, ['Connection: Upgrade', 'Upgrade: TLS/1.0']],
    ['empty Upgrade', `/b/${bin}`, ['Connection: Upgrade', 'Upgrade: ']],
  ];
  for (const [name, target, headers, body] of upgrades) {
    const bytes = req(body ? 'POST' : 'GET', target, headers, body ? Buffer.from(body) : Buffer.alloc(0), { close: false });
    // A bin captures an upgrade request like any other, body and all.
    const extra = body ? { exactBody: Buffer.from(body) } : {};
    add('upgrade', name, bytes, body ? (r) => r.status === 200 : answeredOrClosed, { idleMs: 3000, ...extra });
  }

  // 2. Rule globs against inputs built to make a backtracking matcher explode
  // (the old one took minutes). The server runs in this process, so a stall
  // shows only as time: each must be answered within 2 s (it takes ms).
  const dashes = (n) => '-'.repeat(n) + '/';
  const globCase = { idleMs: 8000, maxMs: 2000 };
  for (const n of [400, 4000, 15_000]) {
    add('glob', `header value of ${n} dashes against *-*-*-*-*`, req('POST', `/b/${redosBin}`, [`X-Evil: ${dashes(n)}`]), (r) => r.status === 200, globCase);
  }
  add('glob', 'path of 8,000 dashes against a path glob', req('POST', `/b/${redosBin}/${dashes(8000)}x`), (r) => r.status === 200, globCase);
  // An event type is kept to its first 200 characters: that is what a glob sees.
  const type = 'a'.repeat(50_000) + 'c';
  add('glob', 'event type (its first 200 characters: all a) against **a**a**a**a**b', req('POST', `/b/${redosBin}`, ['Content-Type: application/json'], Buffer.from(JSON.stringify({ id: 'evt_redos', type }))), (r) => r.status === 200, globCase);

  // 7. Many short headers under the size limit: every pair kept, or 431.
  for (const n of [1100, 3000]) {
    const headers = Array.from({ length: n }, () => 'a:1');
    add('header count', `${n} headers of 3 bytes`, req('POST', `/b/${bin}/many`, headers, Buffer.from('hi')), (r) => r.status === 431 || (r.status !== null && r.status < 300), { headerCount: n + 3 });
  }

  // 3 and 6. A relayed app's hostile replies: the provider gets an answer hookbin can send and recorded.
  for (const [name, { status, check, reason }] of Object.entries(HOSTILE_REPLIES)) {
    const ok = (r) => r.status === status && sandboxed(r) && (check?.(r) ?? true);
    add('relayed reply', name, req('POST', `/b/${relayBin}/${name}`, ['Content-Type: application/json'], Buffer.from('{"id":"evt_relay"}')), ok, { recorded: true, reason, idleMs: 6000 });
  }
  // 3. Every answer from a bin URL is sandboxed, the bin's own and its errors too.
  add('bin answer', 'own answer', req('POST', `/b/${bin}/own`), (r) => r.status === 200 && sandboxed(r));
  add('bin answer', 'unknown bin', req('POST', '/b/nosuchbin0000'), (r) => r.status === 404 && sandboxed(r));
  return cases;
}

/** Makes the bins the attack cases need (through the API), with the hostile app as the relay target. */
export async function prepareAttackBins(api, appUrl) {
  const make = async (id, patch) => {
    const res = await api('/api/bins', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
    if (res.status !== 201 && res.status !== 200) throw new Error(`could not create bin ${id}: ${res.status} ${await res.text()}`);
    const patched = await api(`/api/bins/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
    if (patched.status !== 200) throw new Error(`could not set up bin ${id}: ${patched.status} ${await patched.text()}`);
  };
  await make('redos', {
    respond: {
      rules: [
        { match: { header: { name: 'x-evil', value: '*-*-*-*-*' } }, respond: { status: 201 } },
        { match: { path: '/*-*-*-*-*-*-*' }, respond: { status: 201 } },
        { match: { eventType: '**a**a**a**a**b' }, respond: { status: 201 } },
        { match: { path: '?*?*?*?*?*?*?*?*z' }, respond: { status: 201 } },
      ],
    },
  });
  await make('relay', { forwardTo: appUrl, forward: { relay: true, timeoutMs: 3000 } });
  return { redosBin: 'redos', relayBin: 'relay' };
}

/** One hostile connection of the socket check, by kind; resolves once this side has gone. */
function hostileConnection(port, kind, bin) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    const leave = (ms) => setTimeout(() => socket.destroy(), ms);
    socket.on('connect', () => {
      switch (kind) {
        case 0: // h2c upgrade, then half-close and leave without reading
          socket.end(req('GET', `/b/${bin}/fd`, ['Connection: Upgrade', 'Upgrade: h2c'], Buffer.alloc(0), { close: false }));
          leave(30);
          break;
        case 1: // an upgrade to the inspector, left open a moment
          socket.write(req('GET', '/', ['Connection: Upgrade', 'Upgrade: foo'], Buffer.alloc(0), { close: false }));
          leave(20);
          break;
        case 2: // headers never finished
          socket.write(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nX-Half: `);
          leave(10);
          break;
        case 3: // a body cut short
          socket.write(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
          leave(10);
          break;
        case 4: // a WebSocket upgrade to the live feed, then gone
          socket.write(crlf('GET /api/ws HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''));
          leave(20);
          break;
        case 5: // not HTTP
          socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
          leave(10);
          break;
        default: // a request sent whole, the reply never read, half-closed
          socket.end(req('POST', `/b/${bin}/fd`, ['Content-Type: text/plain'], Buffer.from('x'), { close: false }));
          leave(30);
      }
    });
  });
}

/**
 * The socket check: `count` hostile connections (seven kinds in turn, 50 at
 * a time) come and go; then the server's sockets on `port` must fall back to
 * what it held before within `settleMs`. Returns { before, after, settled }
 * (null counts and settled false where /proc cannot be read).
 */
export async function socketCheck(port, bin, count = 1000, settleMs = 15_000) {
  const before = serverSocketCount(port);
  if (before === null) return { before: null, after: null, settled: null };
  let next = 0;
  const worker = async () => {
    while (next < count) await hostileConnection(port, next++ % 7, bin);
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const deadline = Date.now() + settleMs;
  let after = serverSocketCount(port);
  while (after > before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    after = serverSocketCount(port);
  }
  return { before, after, settled: after <= before };
}

export { exchange };
