#!/usr/bin/env node
/**
 * Crash soak: load the built hookbin from several senders with live
 * inspectors attached, SIGKILL it at random moments, restart it on the same
 * data dir, and check that every request it answered 2xx is still there,
 * byte-exact, and that SQLite's integrity check passes.
 *
 *   node scripts/soak.mjs [--kills 20] [--senders 4] [--inspectors 2] [--signal SIGKILL|SIGTERM] [--json]
 *
 * With SIGTERM it checks graceful shutdown under load instead: in-flight
 * captures finish or are refused, and the process exits 0.
 *
 * Exit code 0 when nothing was lost, 1 otherwise. `npm run soak` builds first;
 * the test suite runs a bounded version (3 kills) with --json.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import WebSocket from 'ws';

const BIN_JS = fileURLToPath(new URL('../bin/hookbin.js', import.meta.url));
const TOKEN = 'soak-token-0123456789';

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    senders: { type: 'string', default: '4' },
    inspectors: { type: 'string', default: '2' },
    signal: { type: 'string', default: 'SIGKILL' },
    json: { type: 'boolean', default: false },
  },
});
if (!['SIGKILL', 'SIGTERM', 'SIGINT'].includes(args.signal)) {
  console.error('soak: --signal must be SIGKILL, SIGTERM or SIGINT');
  process.exit(2);
}
const KILLS = positive(args.kills, '--kills');
const SENDERS = positive(args.senders, '--senders');
const INSPECTORS = positive(args.inspectors, '--inspectors', true);

function positive(text, flag, zeroOk = false) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1) || n > 1000) {
    console.error(`soak: ${flag} must be a whole number from ${zeroOk ? 0 : 1} to 1000`);
    process.exit(2);
  }
  return n;
}

const log = (...parts) => {
  if (!args.json) console.log(...parts);
};

/** Starts the built CLI on a free port; resolves once the banner names the bin URL. */
function startHookbin(dataDir) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN_JS, '--port', '0', '--data-dir', dataDir, '--token', TOKEN, '--max-captures', '1000000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: dataDir },
    });
    let out = '';
    const onData = (d) => {
      out += String(d);
      const bin = /Bin URL\s+(\S+)/.exec(out);
      if (bin) {
        child.stdout.off('data', onData);
        resolve({ child, binUrl: bin[1], origin: new URL(bin[1]).origin, binId: bin[1].split('/b/')[1], startMs: Date.now() - started });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => reject(new Error(`hookbin exited (${code}) before listening: ${out}`)));
  });
}

/** Live inspectors: subscribed sockets that just count what they hear. */
function attachInspectors(origin, binId) {
  const sockets = [];
  for (let i = 0; i < INSPECTORS; i++) {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/ws?token=${TOKEN}`, { headers: { origin } });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', bins: [binId] })));
    ws.on('error', () => {});
    sockets.push(ws);
  }
  return () => sockets.forEach((ws) => ws.terminate());
}

/** Senders posting random bodies until told to stop; every 2xx goes into `answered`. */
function startSenders(binUrl, answered, stats) {
  let running = true;
  const loops = Array.from({ length: SENDERS }, async (_, n) => {
    while (running) {
      const body = randomBytes(Math.floor(Math.random() * 4096));
      try {
        const res = await fetch(`${binUrl}/soak/${n}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) {
          answered.push({ id: res.headers.get('x-hookbin-capture-id'), sha256: createHash('sha256').update(body).digest('hex'), size: body.length });
        }
        stats.sent++;
      } catch {
        // The server was killed mid-request: this one was never answered.
        stats.failed++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

/** Checks captures against what was answered; resolves to the ids missing or different. */
async function verify(origin, captures) {
  const lost = [];
  for (const c of captures) {
    const res = await fetch(`${origin}/api/captures/${c.id}/body`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || bytes.length !== c.size || createHash('sha256').update(bytes).digest('hex') !== c.sha256) lost.push(c.id);
  }
  return lost;
}

function integrity(dataDir) {
  const db = new Database(join(dataDir, 'hookbin.db'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookbin-soak-'));
  const answered = [];
  const stats = { sent: 0, failed: 0 };
  const report = { kills: 0, answered: 0, verified: 0, lost: [], integrity: [], restartsServed: 0, startMs: [], seconds: 0 };
  const started = Date.now();
  let checked = 0;
  try {
    for (let round = 0; round <= KILLS; round++) {
      const hb = await startHookbin(dataDir);
      report.startMs.push(hb.startMs);
      report.integrity.push(integrity(dataDir));
      // After a restart: everything answered so far must be there (new since the last check, then all at the end).
      const lost = await verify(hb.origin, answered.slice(checked));
      report.lost.push(...lost);
      report.verified += answered.length - checked;
      checked = answered.length;
      const health = await fetch(`${hb.origin}/api/health`);
      if (health.status === 200) report.restartsServed++;
      if (round === KILLS) {
        const again = await verify(hb.origin, answered);
        report.lost.push(...again.filter((id) => !report.lost.includes(id)));
        hb.child.kill('SIGTERM');
        await new Promise((r) => hb.child.once('exit', r));
        break;
      }
      const detach = attachInspectors(hb.origin, hb.binId);
      const stop = startSenders(hb.binUrl, answered, stats);
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 1100));
      hb.child.kill(args.signal);
      const exitCode = await new Promise((r) => hb.child.once('exit', (code) => r(code)));
      if (args.signal !== 'SIGKILL' && exitCode !== 0) report.badExits = (report.badExits ?? 0) + 1;
      report.kills++;
      await stop();
      detach();
      log(`kill ${report.kills}/${KILLS}: ${answered.length} answered 2xx so far, ${report.lost.length} lost`);
    }
  } finally {
    report.answered = answered.length;
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    report.requestsFailedByKills = stats.failed;
    rmSync(dataDir, { recursive: true, force: true });
  }
  const ok = report.lost.length === 0 && report.integrity.every((r) => r === 'ok') && report.restartsServed === KILLS + 1 && !report.badExits;
  if (args.json) {
    console.log(JSON.stringify({ ...report, ok }));
  } else {
    console.log('');
    console.log(`${args.signal}s: ${report.kills}, answered 2xx: ${report.answered}, verified byte-exact: ${report.verified}, lost: ${report.lost.length}`);
    console.log(`integrity_check: ${report.integrity.every((r) => r === 'ok') ? 'ok after every restart' : report.integrity.join(', ')}`);
    console.log(`restarts that served again: ${report.restartsServed}/${KILLS + 1}; requests cut off by kills (never answered): ${stats.failed}`);
    console.log(`start to listening: median ${median(report.startMs)} ms; ${report.seconds} s in all`);
    console.log(ok ? 'PASS: nothing answered 2xx was lost' : 'FAIL');
  }
  process.exit(ok ? 0 : 1);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

main().catch((err) => {
  console.error(`soak: ${err.message}`);
  process.exit(1);
});
