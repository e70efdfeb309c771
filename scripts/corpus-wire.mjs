/**
 * Raw-socket helpers of the hostile corpus: requests written byte for byte,
 * so malformed input reaches the server as an attacker would send it.
 */
import { connect } from 'node:net';

/** Sends raw bytes (optionally in timed pieces) and resolves with what came back before close or `idleMs` of silence. */
export function exchange(port, pieces, idleMs = 4000) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    let closed = false;
    let timer;
    const finish = (how) => {
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 20).toString('latin1'));
      resolve({ status: m ? Number(m[1]) : null, how, data });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('silent'), idleMs);
    };
    socket.on('data', (c) => {
      chunks.push(c);
      arm();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!closed) {
        closed = true;
        finish('closed');
      }
    });
    arm();
    (async () => {
      for (const p of Array.isArray(pieces) ? pieces : [pieces]) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!socket.destroyed) socket.write(p);
      }
    })();
  });
}

export const crlf = (...lines) => Buffer.from(lines.join('\r\n'), 'latin1');
export const req = (method, target, headers = [], body = Buffer.alloc(0), { close = true } = {}) =>
  Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
    Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'latin1'),
    ...headers.map((h) => Buffer.concat([Buffer.isBuffer(h) ? h : Buffer.from(h, 'latin1'), Buffer.from('\r\n')])),
    Buffer.from(`${close ? 'Connection: close\r\n' : ''}${body.length ? `Content-Length: ${body.length}\r\n` : ''}\r\n`, 'latin1'),
    body,
  ]);
