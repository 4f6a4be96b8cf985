import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { webhookReceiver, type WebhookReceiver } from './testing.ts';
import { deliver, rollbackMessage, webhookOrigin } from './webhook.ts';

const message = rollbackMessage({
  remote: 'shop',
  owner: 'shop',
  canary: 'shop@1.1.0',
  percent: 25,
  live: 'shop@1.0.0',
  reason: 'shop@1.1.0 failed on 9 of 12 page views (75 %, ≥ 39 % at 99 %), live shop@1.0.0 on 0 of 40 (0 %, ≤ 14 %)',
  figures: { canary: 'shop@1.1.0', canary_sessions: 12, canary_failed: 9 },
});

describe('the rollback message', () => {
  test('is a Slack-style body with the reason, plus the figures for receivers that read them', () => {
    assert.equal(
      message.text,
      'Release guard rolled back shop@1.1.0 (canary at 25 %) for team shop: shop@1.1.0 failed on 9 of 12 page views ' +
        '(75 %, ≥ 39 % at 99 %), live shop@1.0.0 on 0 of 40 (0 %, ≤ 14 %); every visitor is on shop@1.0.0 again.',
    );
    assert.equal(message.blocks.length, 2);
    assert.deepEqual(message.guard, {
      decision: 'rollback',
      remote: 'shop',
      owner: 'shop',
      reason: 'shop@1.1.0 failed on 9 of 12 page views (75 %, ≥ 39 % at 99 %), live shop@1.0.0 on 0 of 40 (0 %, ≤ 14 %)',
      canary: 'shop@1.1.0',
      canary_sessions: 12,
      canary_failed: 9,
    });
  });
});

describe('a webhook delivery', () => {
  let hook: WebhookReceiver | undefined;
  afterEach(() => hook?.close());

  test('is tried again on 5xx until delivered, and never logs the URL’s path', async () => {
    hook = await webhookReceiver((n) => (n < 3 ? 503 : 200));
    const lines: string[] = [];
    assert.equal(await deliver(hook.url, 'shop', message, { baseDelayMs: 1, log: (line) => lines.push(line) }), true);
    assert.equal(hook.received.length, 3);
    assert.deepEqual(hook.received[2], message);
    const where = `shop's webhook ${new URL(hook.url).origin}/…`;
    assert.deepEqual(lines, [
      `guard: ${where} failed (HTTP 503), try 1/4; again in 1 ms`,
      `guard: ${where} failed (HTTP 503), try 2/4; again in 2 ms`,
      `guard: told ${where} (HTTP 200)`,
    ]);
  });

  test('is not tried again when the webhook refuses the message (4xx)', async () => {
    hook = await webhookReceiver(() => 400);
    const lines: string[] = [];
    assert.equal(await deliver(hook.url, 'shop', message, { baseDelayMs: 1, log: (line) => lines.push(line) }), false);
    assert.equal(hook.received.length, 1);
    assert.deepEqual(lines, [`guard: could not tell shop's webhook ${new URL(hook.url).origin}/… (HTTP 400, 1 try); the rollback stands`]);
  });

  test('gives up after its tries when nothing answers, naming the error code only', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/services/secret-path`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const lines: string[] = [];
    assert.equal(await deliver(url, 'shop', message, { attempts: 2, baseDelayMs: 1, log: (line) => lines.push(line) }), false);
    assert.deepEqual(lines, [
      `guard: shop's webhook ${webhookOrigin(url)} failed (ECONNREFUSED), try 1/2; again in 1 ms`,
      `guard: could not tell shop's webhook ${webhookOrigin(url)} (ECONNREFUSED, 2 tries); the rollback stands`,
    ]);
  });
});
