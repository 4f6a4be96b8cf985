/**
 * Alerts over real HTTP: an inbox calling a local receiver that stands in for a Slack webhook.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { alertMessage, redactUrl, slackEscape } from './alerts.ts';
import { HOME, type WebhookReceiver, cleanUp, envelope, errorEvent, post, start, webhookReceiver } from './testing.ts';

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await cleanUp();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer?: Parameters<typeof webhookReceiver>[0]): Promise<WebhookReceiver> {
  const r = await webhookReceiver(answer);
  receivers.push(r);
  return r;
}

interface Message {
  text: string;
  blocks: { type: string }[];
}

function texts(received: readonly unknown[]): string[] {
  return received.map((m) => (m as Message).text).sort();
}

describe('alerts', () => {
  it('calls the team webhook on a new issue and on a regression, not otherwise', async () => {
    const shop = await receiver();
    const logs: string[] = [];
    const run = await start({ alerts: { webhooks: { shop: shop.url }, log: (l) => logs.push(l) } });
    const send = async (value: string, release?: string, zone = 'home'): Promise<void> => {
      const event = errorEvent(value, { ...(release ? { release } : {}), tags: { zone, owner: 'shop' } });
      assert.equal((await post(run.url, envelope([event]))).status, 200);
    };

    await send('Cart 1 exploded', 'shop@1.0.0');
    const [first] = await shop.waitFor(1);
    const message = first as Message;
    assert.match(
      message.text,
      /^New issue in shop: TypeError: Cart 1 exploded \(project shop, release shop@1\.0\.0, zone home, 1 event\) http:\/\/localhost:\d+\/issues\/shop\/\d+\/$/,
    );
    assert.deepEqual(
      message.blocks.map((b) => b.type),
      ['section', 'context'],
    );

    await send('Cart 2 exploded', 'shop@1.0.0'); // same issue, same release: nothing
    await send('Cart 3 exploded', 'shop@0.9.0'); // an older release: nothing
    await send('Cart 4 exploded'); // no release: nothing
    await send('Cart 5 exploded', 'shop@1.1.0', 'checkout'); // newer: regression
    await shop.waitFor(2);
    assert.match((shop.received[1] as Message).text, /^Regression in shop: .*release shop@1\.1\.0, seen before in shop@1\.0\.0, shop@0\.9\.0, zone checkout, 5 events/);

    await send('Another thing', 'shop@1.1.0'); // a new issue
    await post(run.url, envelope([errorEvent('home issue')]), { project: HOME.id, key: HOME.publicKey }); // home has no webhook
    await shop.waitFor(3);
    assert.equal(texts(shop.received).filter((t) => t.startsWith('New issue')).length, 2);
    assert.equal(run.inbox.alertStats.delivered, 3);
    assert.deepEqual(logs, []);
  });

  it('retries with exponential backoff, and never logs the webhook URL', async () => {
    const flaky = await receiver((n) => (n < 3 ? 503 : 200));
    const logs: string[] = [];
    const run = await start({ alerts: { webhooks: { shop: flaky.url }, baseDelayMs: 20, log: (l) => logs.push(l) } });
    const started = Date.now();
    await post(run.url, envelope([errorEvent('flaky')]));
    await flaky.waitFor(3);
    assert.ok(Date.now() - started >= 20 + 40, 'waited 20 ms, then 40 ms');
    assert.equal(flaky.received.length, 3);
    assert.match(logs.join('\n'), /failed \(HTTP 503\), try 1\/5; retrying in 20 ms[\s\S]*try 2\/5; retrying in 40 ms/);
    for (const line of logs) {
      assert.ok(!line.includes('secret-path-XYZ'), line);
      assert.ok(line.includes(redactUrl(flaky.url)), line);
    }
  });

  it('gives up after the last try, and does not retry a refusal (4xx)', async () => {
    const down = await receiver(() => 500);
    const refusing = await receiver(() => 400);
    const logs: string[] = [];
    const run = await start({
      alerts: { webhooks: { shop: down.url, home: refusing.url }, attempts: 3, baseDelayMs: 10, log: (l) => logs.push(l) },
    });
    await post(run.url, envelope([errorEvent('down')]));
    await post(run.url, envelope([errorEvent('refused')]), { project: HOME.id, key: HOME.publicKey });
    await down.waitFor(3);
    await refusing.waitFor(1);
    const deadline = Date.now() + 5000;
    while (run.inbox.alertStats.failed < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(run.inbox.alertStats.failed, 2);
    assert.equal(down.received.length, 3);
    assert.equal(refusing.received.length, 1);
    assert.match(logs.join('\n'), /HTTP 400\) after 1 tries; dropped/);
    assert.match(logs.join('\n'), /HTTP 500\) after 3 tries; dropped/);
  });

  it('never slows ingest, even when the webhook hangs', async () => {
    const hanging = await receiver(() => 'hang');
    const run = await start({ alerts: { webhooks: { shop: hanging.url }, timeoutMs: 60_000, log: () => undefined } });
    const started = Date.now();
    // Every event opens a new issue, so every one queues an alert.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(run.url, envelope([errorEvent('x', { fingerprint: [`issue-${i}`] })]))),
    );
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    assert.ok(Date.now() - started < 5000, `ingest took ${Date.now() - started} ms`);
    await hanging.waitFor(20);
    // Closing aborts the hanging deliveries instead of waiting for them.
    const closing = Date.now();
    await run.inbox.close();
    assert.ok(Date.now() - closing < 5000);
  });

  it("escapes Slack's markup in event text", () => {
    assert.equal(slackEscape('<!channel> & <http://evil|click>'), '&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    const project = { id: 2, slug: 'shop', publicKey: 'k' } as const;
    const record = {
      projectId: 2,
      projectSlug: 'shop',
      eventId: 'e',
      publicKey: 'k',
      keySource: 'query',
      envelopeDsn: null,
      received: '2025-01-01T00:00:00.000Z',
      event: { release: 'shop@1' },
    } as const;
    const issue = {
      id: '1',
      number: 1,
      count: 1,
      userCount: 0,
      firstSeen: '',
      lastSeen: '',
      releases: ['shop@1'],
      zones: [],
      latest: record,
      title: 'Error: <!channel> hi',
      culprit: '',
      level: 'error',
      type: 'error',
    };
    const message = alertMessage(project, issue, 'new', record, 'http://localhost:9000/issues/shop/1/');
    assert.ok(!message.text.includes('<!channel>'));
    assert.ok(message.text.includes('&lt;!channel&gt;'));
    assert.ok(!JSON.stringify(message.blocks).includes('<!channel>'));
  });
});
