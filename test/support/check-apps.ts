/**
 * Small webhook receivers for the `hookbin check` tests, as developers write
 * them: real node:http servers on port 0 that verify (or fail to verify)
 * deliveries, most with the provider's own library. Each records what it
 * received and answers after an optional delay.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import twilioLib from 'twilio';
import { afterEach } from 'vitest';
import type { HeaderPair } from '../../server/common/types.js';

const stripe = new Stripe('sk_test_hookbin_check');

/** A request as the app received it. */
export interface AppRequest {
  method: string;
  url: string;
  headers: HeaderPair[];
  /** Node's parsed headers (lower-case names), as libraries take them. */
  parsed: IncomingMessage['headers'];
  body: Buffer;
}

/** How a receiver answers one request. */
export interface AppAnswer {
  status: number;
  body?: string;
  /** Answer only after this many ms. */
  delayMs?: number;
}

export interface CheckApp {
  url: string;
  requests: AppRequest[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 port 0; `path` is appended to the URL it reports. */
export async function startApp(handle: (req: AppRequest) => AppAnswer, path = '/webhook'): Promise<CheckApp> {
  const requests: AppRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: HeaderPair[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const r: AppRequest = { method: req.method ?? '', url: req.url ?? '', headers, parsed: req.headers, body: Buffer.concat(chunks) };
      requests.push(r);
      const a = handle(r);
      const send = () => {
        if (!res.destroyed) res.writeHead(a.status, { 'Content-Type': 'text/plain' }).end(a.body ?? '');
      };
      if (!a.delayMs) return send();
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, a.delayMs);
      timers.add(t);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** For a test file: `startApp`, every app closed after each test. */
export function useApps(): typeof startApp {
  const apps: CheckApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  return async (...args) => {
    const app = await startApp(...args);
    apps.push(app);
    return app;
  };
}

const refuse = (err: unknown): AppAnswer => ({ status: 400, body: `Webhook Error: ${(err as Error).message}` });

/**
 * Stripe's documented receiver: `stripe.webhooks.constructEvent` on the raw
 * body with the endpoint secret, 400 when it throws. `toleranceSec` is
 * constructEvent's (300 by default; a huge one ignores timestamps).
 */
export function stripeReceiver(secret: string, opts: { toleranceSec?: number; delayMs?: number } = {}): (req: AppRequest) => AppAnswer {
  return (req) => {
    try {
      stripe.webhooks.constructEvent(req.body, String(req.parsed['stripe-signature'] ?? ''), secret, opts.toleranceSec ?? 300);
      return { status: 200, body: '{"received":true}', delayMs: opts.delayMs };
    } catch (err) {
      return refuse(err);
    }
  };
}

/** The Standard Webhooks receiver: `new Webhook(secret).verify(body, headers)`, 400 when it throws. */
export function standardReceiver(secret: string): (req: AppRequest) => AppAnswer {
  const wh = new Webhook(secret);
  return (req) => {
    try {
      wh.verify(req.body.toString('utf8'), req.parsed as Record<string, string>);
      return { status: 204 };
    } catch (err) {
      return refuse(err);
    }
  };
}

/** Twilio's receiver: `twilio.validateRequest` against the URL Twilio was configured with (the tunnel's), 403 when it fails. */
export function twilioReceiver(authToken: string, configuredUrl: string): (req: AppRequest) => AppAnswer {
  return (req) => {
    const params = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    const ok = twilioLib.validateRequest(authToken, String(req.parsed['x-twilio-signature'] ?? ''), configuredUrl, params);
    return ok ? { status: 200, body: '<Response/>' } : { status: 403, body: 'bad signature' };
  };
}

/** A receiver of a user's own scheme, written by hand: hex HMAC-SHA256 of `{timestamp}.{body}` in `header`, timestamps within `toleranceSec`. */
export function ownSchemeReceiver(secret: string, header: string, timestampHeader: string, toleranceSec: number): (req: AppRequest) => AppAnswer {
  return (req) => {
    const ts = String(req.parsed[timestampHeader.toLowerCase()] ?? '');
    const given = Buffer.from(String(req.parsed[header.toLowerCase()] ?? ''), 'utf8');
    const expected = Buffer.from(createHmac('sha256', secret).update(`${ts}.`).update(req.body).digest('hex'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 401, body: 'bad signature' };
    if (Math.abs(Date.now() / 1000 - Number(ts)) > toleranceSec) return { status: 401, body: 'stale' };
    return { status: 200, body: 'ok' };
  };
}

/** An endpoint that skips verification: everything is 200. */
export const acceptAll = (): AppAnswer => ({ status: 200, body: 'ok' });
