/**
 * Crash safety, for real: the inbox as its own process (`node --import tsx src/main.ts`, one
 * process, so SIGKILL hits the one holding the database) under concurrent ingest, killed with
 * SIGKILL at a random moment, then restarted on the same data directory: every event that got a
 * 200 must be there. Two rounds on one directory, bounded to a few seconds each.
 *
 * The children run with a read token and a webhook URL, so the test also checks that their logs
 * show neither, nor a whole client key.
 */

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { type RunningProcess, startProcess, stopAll } from '@repo/testkit/process';
import { INBOX_ORG, INBOX_PROJECTS } from '@repo/topology';
import { SHOP, cleanUp, envelope, errorEvent, tempDir } from './testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'crash-test-read-token-7c1e';
const WEBHOOK = 'http://127.0.0.1:9/services/T0/B0/SECRET-WEBHOOK-PATH';
const WORKERS = 8;

afterEach(async () => {
  await stopAll();
  await cleanUp();
});

/** The inbox as its own process (one process: SIGKILL hits the one holding the database). */
async function startInbox(dataDir: string): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess({
    name: 'inbox',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: ROOT,
    env: { INBOX_PORT: String(port), INBOX_DATA_DIR: dataDir, INBOX_READ_TOKEN: TOKEN, INBOX_WEBHOOK_SHOP: WEBHOOK },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    timeoutMs: 20_000,
  });
}

/** Posts envelopes of two events from `WORKERS` loops until `stop()`; returns the ids acknowledged. */
function load(url: string): { stop: () => Promise<Set<string>>; acked: Set<string> } {
  const acked = new Set<string>();
  let stopped = false;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stopped) {
      const events = [errorEvent('crash load', { release: 'shop@1.0.0' }), errorEvent('crash load', { release: 'shop@1.0.0' })];
      try {
        const response = await fetch(`${url}/api/${SHOP.id}/envelope/?sentry_key=${SHOP.publicKey}`, {
          method: 'POST',
          body: envelope(events),
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        if (response.status === 200) for (const e of events) acked.add(String(e.event_id));
      } catch {
        // The process was killed under this request: it was never acknowledged.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  });
  return {
    acked,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return acked;
    },
  };
}

async function storedIds(url: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let next: string | undefined = `${url}/api/0/projects/${INBOX_ORG}/shop/events/`;
  while (next) {
    const response: Response = await fetch(next, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    for (const event of (await response.json()) as { id: string }[]) ids.add(event.id);
    next = /<([^>]+)>; rel="next"; results="true"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return ids;
}

describe('crash', () => {
  it('keeps every acknowledged event when killed with SIGKILL under load', { timeout: 60_000 }, async (t) => {
    const dir = await tempDir('inbox-crash-');
    const acked = new Set<string>();
    const outputs: string[] = [];
    for (let round = 1; round <= 2; round++) {
      const inbox = await startInbox(dir);
      const running = load(inbox.origin);
      // Kill once some events went in, at a random moment of a second after that.
      const deadline = Date.now() + 10_000;
      while (running.acked.size < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const delay = Math.floor(Math.random() * 1000);
      await new Promise((r) => setTimeout(r, delay));
      inbox.signal('SIGKILL');
      await inbox.exited;
      for (const id of await running.stop()) acked.add(id);
      outputs.push(inbox.output());
      assert.ok(running.acked.size >= 20, `round ${round}: only ${running.acked.size} events acknowledged`);

      const restarted = await startInbox(dir);
      const stored = await storedIds(restarted.origin);
      const lost = [...acked].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `round ${round} (killed ${delay} ms in): ${lost.length} of ${acked.size} acknowledged events lost`);
      t.diagnostic(`round ${round}: killed ${delay} ms after 20 acks; ${acked.size} acknowledged so far, ${stored.size} stored, none lost`);
      await restarted.stop();
      outputs.push(restarted.output());
      assert.equal(await restarted.exited, 0, restarted.output());
    }

    const logs = outputs.join('\n');
    assert.ok(!logs.includes(TOKEN), 'the read token is never logged');
    assert.ok(!logs.includes('SECRET-WEBHOOK-PATH'), 'the webhook URL is never logged whole');
    assert.ok(logs.includes('alerts for shop go to http://127.0.0.1:9/…'));
    for (const { publicKey } of Object.values(INBOX_PROJECTS)) assert.ok(!logs.includes(publicKey), 'no whole client key');
  });
});
