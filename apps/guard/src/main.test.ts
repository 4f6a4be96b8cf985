/**
 * The guard as a process: `tsx src/main.ts`, what the workspace's start script runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { startCanary } from '@repo/releases/store';
import { startProcess } from '@repo/testkit/process';
import { Log, removeTempDirs, shopRegistry } from './testing.ts';

const GUARD_DIR = fileURLToPath(new URL('..', import.meta.url));
const MAIN = ['--import', 'tsx', 'src/main.ts'];

/** A URL nothing listens on. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

describe('the guard process', () => {
  after(removeTempDirs);

  test('refuses a setting it cannot read, naming it, and never echoes a webhook URL', async () => {
    const run = promisify(execFile);
    const refused = (env: Record<string, string>) =>
      run(process.execPath, MAIN, { cwd: GUARD_DIR, env: { ...process.env, ...env } }).then(
        () => assert.fail('it started'),
        (error: { code: number; stderr: string }) => error,
      );
    const minimum = await refused({ GUARD_MIN_SESSIONS: 'ten' });
    assert.equal(minimum.code, 1);
    assert.equal(minimum.stderr, 'guard: GUARD_MIN_SESSIONS="ten" is not a whole number of at least 1.\n');
    const webhook = await refused({ INBOX_WEBHOOK_SHOP: 'hooks.slack.com/services/T0/B0/secret-path' });
    assert.equal(webhook.stderr, 'guard: INBOX_WEBHOOK_SHOP is not a URL.\n');
  });

  test('says what it watches, says an unreachable health API once, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const { file, store } = await shopRegistry();
    await startCanary(store, 'shop', '1.1.0', 25, 'test');
    const health = await closedUrl();
    const log = new Log();
    let pending = '';
    const guard = await startProcess({
      name: 'guard',
      command: process.execPath,
      args: MAIN,
      cwd: GUARD_DIR,
      env: {
        FEDERATION_REGISTRY: file,
        SENTRY_URL: health,
        SENTRY_AUTH_TOKEN: 'sntrys_do_not_print',
        GUARD_INTERVAL_MS: '20',
        INBOX_WEBHOOK_SHOP: 'http://127.0.0.1:9/services/T0/B0/secret-path',
      },
      readyOutput: /^guard: watching /m,
      onOutput(text) {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) log.write(line);
      },
      timeoutMs: 30_000,
    });
    try {
      const failure = await log.next((line) => line.startsWith("guard: cannot read shop's release health: "));
      assert.match(failure, new RegExp(`^guard: cannot read shop's release health: GET ${health}/api/0/projects/local/shop/ failed: .*ECONNREFUSED.*; trying again every 20 ms$`));
      assert.equal(
        log.lines[0],
        `guard: watching the canaries of ${file} every 20 ms; health from ${health} (org local, with a token), window 300 s, ` +
          'at least 10 sessions and 3 failed before a rollback',
      );
      assert.ok(log.lines.includes('guard: shop: project shop, rollbacks told to http://127.0.0.1:9/…'), log.lines.join('\n'));
    } finally {
      guard.signal('SIGTERM');
    }
    assert.equal(await guard.exited, 0);
    await guard.stop();
    const output = guard.output();
    assert.match(output, /^guard: SIGTERM, finishing the evaluation under way$/m);
    // However many evaluations failed before the signal, one line about them.
    assert.equal(output.split('\n').filter((line) => line.includes('cannot read')).length, 1, output);
    assert.ok(!output.includes('secret-path') && !output.includes('sntrys_do_not_print'), output);
  });
});
