/**
 * The guard against a real inbox (its own start script, a fresh data directory, a free port):
 * sessions go in through the inbox's ingest as the SDK's session envelopes, the guard reads them
 * back through the sessions API, moves a real registry file and calls a real webhook server.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { readRegistry, serializeRegistry } from '@repo/releases/registry';
import { openRegistryStore, startCanary } from '@repo/releases/store';
import { createGuard, type Guard } from './guard.ts';
import { createHealthClient } from './health.ts';
import { DEFAULT_RULE } from './rule.ts';
import { Log, removeTempDirs, sendSession, shopRegistry, startInbox, webhookReceiver, type Inbox, type Outcome, type WebhookReceiver } from './testing.ts';

const LIVE = 'shop@1.0.0';
const BROKEN = 'shop@1.1.0';
const HEALTHY = 'shop@1.2.0';

interface Evaluation {
  readonly canary: string;
  readonly canarySessions: number;
  readonly canaryFailed: number;
  readonly liveSessions: number;
  readonly liveFailed: number;
  readonly decision: string;
}

const EVALUATION = /^guard: shop canary=(\S+) 25% canary_sessions=(\d+) canary_failed=(\d+) live=shop@1\.0\.0 live_sessions=(\d+) live_failed=(\d+) decision=(keep|rollback)$/;

function evaluation(line: string): Evaluation | undefined {
  const m = EVALUATION.exec(line);
  if (!m) return undefined;
  return {
    canary: m[1] ?? '',
    canarySessions: Number(m[2]),
    canaryFailed: Number(m[3]),
    liveSessions: Number(m[4]),
    liveFailed: Number(m[5]),
    decision: m[6] ?? '',
  };
}

/** Page views as a 25 % canary gets them: one on the canary for three on the live release. */
async function pageViews(inbox: Inbox, canary: string, rounds: number, outcomes: (round: number) => { canary: Outcome; live: Outcome[] }): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const { canary: canaryOutcome, live } = outcomes(round);
    await sendSession(inbox, 'shop', canary, canaryOutcome);
    for (const outcome of live) await sendSession(inbox, 'shop', LIVE, outcome);
  }
}

describe('the guard against a real inbox', () => {
  let inbox: Inbox;
  let guard: Guard | undefined;
  let hook: WebhookReceiver | undefined;

  before(async () => {
    inbox = await startInbox();
  });

  afterEach(async () => {
    await guard?.stop();
    await hook?.close();
  });

  after(async () => {
    await inbox.server.stop();
    await removeTempDirs();
  });

  /** A registry with a 25 % canary of `version`, a webhook receiver and the guard watching, every 50 ms. */
  async function watchCanary(version: string): Promise<{ file: string; log: Log }> {
    const { file, store } = await shopRegistry();
    await startCanary(store, 'shop', version, 25, 'test');
    hook = await webhookReceiver();
    const log = new Log();
    guard = createGuard({
      store,
      health: createHealthClient(inbox.health),
      rule: DEFAULT_RULE,
      windowMs: 300_000,
      intervalMs: 50,
      webhooks: { shop: hook.url },
      log: log.write,
    });
    guard.start();
    return { file, log };
  }

  test('rolls back a canary that fails on most page views, and the owner’s webhook gets the figures', { timeout: 60_000 }, async () => {
    const { file, log } = await watchCanary('1.1.0');

    // Three in four of the canary's page views fail, none of the live release's; traffic goes on
    // until the guard has ended the canary (as visitors would keep coming).
    let rounds = 0;
    for (; rounds < 200 && readRegistry(file).shop?.canary; rounds++) {
      await pageViews(inbox, BROKEN, 1, () => ({ canary: rounds % 4 === 3 ? 'ok' : 'errored', live: ['ok', 'ok', 'ok'] }));
    }
    const rolledBack = await log.next((line) => line.startsWith(`guard: rolled back ${BROKEN}: `));
    const [body] = (await hook?.waitFor(1)) ?? [];

    const shop = readRegistry(file).shop;
    assert.equal(shop?.canary, null);
    assert.equal(shop?.live, '1.0.0');
    const move = shop?.moves.at(-1);
    assert.equal(move?.by, 'guard');
    assert.equal(move?.kind, 'canary-end');
    assert.equal(move?.from, '1.1.0');
    assert.equal(move?.to, '1.0.0');
    assert.match(move?.reason ?? '', /^shop@1\.1\.0 failed on \d+ of \d+ page views \(\d+ %, ≥ \d+ % at 99 %\), live shop@1\.0\.0 (on|had) /);
    assert.equal(rolledBack, `guard: rolled back ${BROKEN}: ${move?.reason}`);

    // The deciding evaluation's figures are the ones recorded and sent.
    const decided = log.lines.map(evaluation).find((e) => e?.decision === 'rollback');
    assert.ok(decided, log.lines.join('\n'));
    assert.equal(decided.canary, BROKEN);
    assert.ok(decided.canarySessions >= DEFAULT_RULE.minSessions && decided.canaryFailed >= DEFAULT_RULE.minFailed);
    assert.equal(decided.liveFailed, 0);
    const figures = move?.figures ?? {};
    assert.equal(figures.canary, BROKEN);
    assert.equal(figures.percent, 25);
    assert.equal(figures.canary_sessions, decided.canarySessions);
    assert.equal(figures.canary_failed, decided.canaryFailed);
    assert.equal(figures.live, LIVE);
    assert.equal(figures.live_sessions, decided.liveSessions);
    assert.equal(figures.live_failed, 0);
    assert.ok(Number(figures.canary_lower) > Number(figures.live_upper));

    const message = body as { text: string; blocks: unknown[]; guard: Record<string, unknown> };
    assert.match(message.text, /^Release guard rolled back shop@1\.1\.0 \(canary at 25 %\) for team shop: shop@1\.1\.0 failed on /);
    assert.ok(message.text.includes(move?.reason ?? '?'));
    assert.ok(message.blocks.length > 0);
    assert.deepEqual(message.guard, { decision: 'rollback', remote: 'shop', owner: 'shop', reason: move?.reason, ...figures });
    // The webhook's secret path is never logged.
    await log.next((line) => line === `guard: told shop's webhook ${new URL(hook?.url ?? '').origin}/… (HTTP 200)`);
    assert.ok(!log.lines.some((line) => line.includes('secret-path')), log.lines.join('\n'));
  });

  test('keeps a canary that fails as often as the live release, under the same traffic', { timeout: 60_000 }, async () => {
    // A fresh window: the previous test's sessions of shop@1.0.0 started before this canary did.
    const { file, log } = await watchCanary('1.2.0');

    // One page view in ten fails on either release; the canary's failures come first, the
    // moment a guard would most easily be fooled.
    const rounds = 40;
    await pageViews(inbox, HEALTHY, rounds, (round) => ({
      canary: round < 4 ? 'errored' : 'ok',
      live: [round % 10 === 0 ? 'errored' : 'ok', round % 10 === 5 ? 'crashed' : 'ok', round % 10 === 7 ? 'errored' : 'ok'],
    }));

    // The barrier: the guard has judged every one of these page views.
    const last = `guard: shop canary=${HEALTHY} 25% canary_sessions=${rounds} canary_failed=4 live=${LIVE} live_sessions=${rounds * 3} live_failed=12 decision=keep`;
    await log.next((line) => line === last);

    const judged = log.lines.map(evaluation).filter((e): e is Evaluation => e !== undefined);
    assert.ok(judged.length > 0);
    assert.ok(judged.every((e) => e.canary === HEALTHY && e.decision === 'keep'), log.lines.join('\n'));
    assert.ok(!log.lines.some((line) => line.startsWith('guard: rolled back')));
    assert.equal(readRegistry(file).shop?.canary?.version, '1.2.0');
    assert.deepEqual(hook?.received, []);
  });
  test('judges a canary whose start is ahead of its clock on no sessions, without asking for an empty window', { timeout: 30_000 }, async () => {
    const { file, store } = await shopRegistry();
    await startCanary(store, 'shop', '1.2.0', 25, 'test');
    const registry = readRegistry(file);
    const shop = registry.shop;
    assert.ok(shop?.canary);
    const ahead = new Date(Date.now() + 60_000).toISOString();
    writeFileSync(file, serializeRegistry({ ...registry, shop: { ...shop, canary: { ...shop.canary, since: ahead } } }));
    const log = new Log();
    const guard = createGuard({
      store,
      health: createHealthClient(inbox.health),
      rule: DEFAULT_RULE,
      windowMs: 300_000,
      intervalMs: 500,
      webhooks: {},
      log: log.write,
    });
    await guard.evaluate();
    await guard.stop();
    assert.deepEqual(log.lines, [
      `guard: shop canary=${HEALTHY} 25% canary_sessions=0 canary_failed=0 live=${LIVE} live_sessions=0 live_failed=0 decision=keep`,
    ]);
  });
});

describe('the guard when it cannot read', () => {
  after(removeTempDirs);

  test('says a registry or health failure once per streak, and once when it recovers; the canary stays', async () => {
    const { file, store } = await shopRegistry();
    await startCanary(store, 'shop', '1.1.0', 25, 'test');
    const good = readRegistry(file);

    // A health API that is down (503), then answers with no sessions.
    let up = false;
    const health = createServer((request, response) => {
      if (!up) return response.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"down for maintenance"}');
      const body = request.url?.startsWith('/api/0/projects/') ? { id: '2', slug: 'shop' } : { groups: [], intervals: [], query: '' };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    health.listen(0, '127.0.0.1');
    await once(health, 'listening');
    const url = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
    const projects = { home: 'home', shop: 'shop', checkout: 'checkout' };
    const log = new Log();
    const guard = createGuard({
      store: openRegistryStore(file),
      health: createHealthClient({ url, org: 'local', token: undefined, projects }),
      rule: DEFAULT_RULE,
      windowMs: 300_000,
      intervalMs: 500,
      webhooks: {},
      log: log.write,
    });
    try {
      for (let i = 0; i < 3; i++) await guard.evaluate();
      assert.deepEqual(log.lines, [
        `guard: cannot read shop's release health: GET ${url}/api/0/projects/local/shop/ answered 503: down for maintenance; trying again every 500 ms`,
      ]);
      up = true;
      await guard.evaluate();
      await guard.evaluate();
      assert.deepEqual(log.lines.slice(1), [
        "guard: shop's release health can be read again",
        'guard: shop canary=shop@1.1.0 25% canary_sessions=0 canary_failed=0 live=shop@1.0.0 live_sessions=0 live_failed=0 decision=keep',
      ]);

      log.lines.length = 0;
      writeFileSync(file, '{"shop": ');
      for (let i = 0; i < 3; i++) await guard.evaluate();
      assert.equal(log.lines.length, 1, log.lines.join('\n'));
      const said = log.lines[0] ?? '';
      assert.ok(said.startsWith(`guard: cannot read the registry ${file}: `) && said.endsWith('; trying again every 500 ms'), said);
      assert.match(said, /JSON/);
      writeFileSync(file, JSON.stringify(good));
      await guard.evaluate();
      assert.deepEqual(log.lines.slice(1), [`guard: the registry ${file} can be read again`]);
      assert.equal(readRegistry(file).shop?.canary?.version, '1.1.0');
    } finally {
      await guard.stop();
      health.closeAllConnections();
      await new Promise<void>((resolve) => health.close(() => resolve()));
    }
  });
});
