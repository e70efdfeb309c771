/**
 * The bounded crash soak: the built hookbin under load from several senders
 * with live inspectors attached, SIGKILLed 3 times at random moments and
 * restarted on the same data dir. `npm run soak` runs the same script with 20
 * kills. Every request answered 2xx must survive byte-exact.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));

interface SoakReport {
  ok: boolean;
  kills: number;
  answered: number;
  verified: number;
  lost: string[];
  integrity: string[];
  restartsServed: number;
}

function runSoak(kills: number, signal = 'SIGKILL'): Promise<{ code: number | null; report: SoakReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SOAK, '--kills', String(kills), '--signal', signal, '--senders', '3', '--inspectors', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, report: JSON.parse(out.trim().split('\n').pop()!) as SoakReport, stderr: err });
      } catch {
        reject(new Error(`soak printed no report (exit ${code}): ${out}${err}`));
      }
    });
  });
}

describe('crash soak (3 SIGKILLs)', () => {
  it('loses nothing answered 2xx, keeps the database intact, and serves again after each kill', async () => {
    const { code, report, stderr } = await runSoak(3);
    expect(stderr).toBe('');
    expect(report.kills).toBe(3);
    // The load really ran: there was something to lose.
    expect(report.answered).toBeGreaterThan(10);
    expect(report.verified).toBe(report.answered);
    expect(report.lost).toEqual([]);
    expect(report.integrity).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(report.restartsServed).toBe(4);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  }, 120_000);

  it('SIGTERM under load finishes in-flight captures, exits 0, and loses nothing answered 2xx', async () => {
    const { code, report } = await runSoak(2, 'SIGTERM');
    expect(report.answered).toBeGreaterThan(10);
    expect(report.lost).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  }, 120_000);
});
