/**
 * The release guard (apps/guard, docs/releases.md): it watches every canary's release health
 * through the inbox's sessions endpoint (the subset of Sentry's web API it implements) and rolls
 * a canary back by itself when its page views fail significantly more often than the live
 * release's, telling the owner's webhook why. A healthy canary under the same traffic stays.
 *
 * This spec's own inbox (so the sessions the guard counts are this spec's), registry, shops
 * (1.0.0 live, the healthy 1.2.0 and the broken 1.1.0), a checkout whose server reports to that
 * inbox, the guard as `npm run start` runs it, and a webhook receiver.
 */
import { readRegistry } from '@repo/releases/registry';
import { BROKEN_RELEASE } from '@repo/releases';
import { freePort } from '@repo/testkit/ports';
import type { RunningProcess } from '@repo/testkit/process';
import { INBOX_PROJECTS, ZONE_NAMES } from '@repo/topology';
import { expect, test } from '../fixtures';
import { freshRegistry } from '../fixtures/registry';
import {
  HEALTHY,
  firstVisit,
  guardEvaluations,
  npmRun,
  startGuard,
  visitAs,
  visitorWhere,
  webhookReceiver,
  type WebhookReceiver,
} from '../fixtures/releases';
import { localOrigin, startInbox, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

test.describe.configure({ mode: 'serial' });

const PERCENT = 25;
const LIVE = 'shop@1.0.0';
const BROKEN = `shop@${BROKEN_RELEASE.version}`;

let registry: string;
let inbox: RunningProcess;
let guard: RunningProcess;
let hook: WebhookReceiver;
let checkout: ZoneServer;
const servers: { stop(): Promise<void> }[] = [];

test.beforeAll(async () => {
  test.setTimeout(240_000);
  registry = freshRegistry('guard');
  const inboxPort = await freePort();
  inbox = await startInbox(inboxPort);
  servers.push(inbox);
  // The checkout's server sends every owner's events and sessions to this spec's inbox.
  const dsns = Object.fromEntries(
    ZONE_NAMES.map((owner) => [
      `SENTRY_DSN_${owner.toUpperCase()}`,
      `http://${INBOX_PROJECTS[owner].publicKey}@localhost:${inboxPort}/${INBOX_PROJECTS[owner].id}`,
    ]),
  );
  servers.push(await startZoneServer('shop', { port: await freePort(), registry }));
  servers.push(await startZoneServer('shop', { port: await freePort(), registry, release: HEALTHY }));
  servers.push(await startZoneServer('shop', { port: await freePort(), registry, release: BROKEN_RELEASE.version }));
  checkout = await startZoneServer('checkout', { port: await freePort(), registry, env: dsns });
  servers.push(checkout);
  hook = await webhookReceiver();
  guard = await startGuard({ registry, inbox: localOrigin(inboxPort), env: { INBOX_WEBHOOK_SHOP: hook.url } });
  servers.push(guard);
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await hook?.close();
});

test('a healthy canary under traffic is never rolled back', async () => {
  const started = await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', String(PERCENT));
  expect(started.status, started.stderr).toBe(0);
  let canary = 0;
  const n = 120;
  for (let i = 0; i < n; i++) if ((await firstVisit(`${checkout.origin}/`)).rollout === 'canary') canary += 1;

  // The barrier: the guard has judged every one of these page views, and kept the canary.
  await expect
    .poll(
      () =>
        guardEvaluations(guard.output()).some(
          (e) => e.canary === `shop@${HEALTHY}` && e.canarySessions >= canary && e.liveSessions >= n - canary,
        ),
      { timeout: 30_000, message: `the guard's evaluation of all ${n} page views` },
    )
    .toBe(true);
  const judged = guardEvaluations(guard.output()).filter((e) => e.canary === `shop@${HEALTHY}`);
  expect(judged.map((e) => e.decision)).not.toContain('rollback');
  expect(judged.at(-1)).toMatchObject({ canaryFailed: 0, liveFailed: 0, decision: 'keep' });
  expect(readRegistry(registry).shop?.canary?.version).toBe(HEALTHY);
  expect(hook.received).toEqual([]);
});

test('a broken canary is rolled back by the guard, the owner is told why, and no visitor gets it afterwards', async () => {
  const started = await npmRun(registry, 'canary', 'shop', BROKEN_RELEASE.version, '--percent', String(PERCENT));
  expect(started.status, started.stderr).toBe(0);
  const told = hook.next((body) => JSON.stringify(body).includes(BROKEN));

  // Visitors keep coming until the guard ends the canary; some meet the broken release meanwhile
  // (its Header fails: they get the fallback, in a page that works).
  let metBroken = 0;
  for (let i = 0; i < 1_000 && readRegistry(registry).shop?.canary; i++) {
    const visit = await firstVisit(`${checkout.origin}/`);
    if (visit.release === BROKEN) metBroken += 1;
  }
  const shop = readRegistry(registry).shop;
  expect(shop?.canary ?? null, 'the guard ended the canary').toBeNull();
  expect(shop?.live).toBe('1.0.0');
  expect(metBroken).toBeGreaterThan(0);
  const move = shop?.moves.at(-1);
  expect(move).toMatchObject({ by: 'guard', kind: 'canary-end', from: BROKEN_RELEASE.version, to: '1.0.0' });
  expect(move?.reason).toContain(BROKEN);

  // The owner's webhook got the figures that decided it.
  const body = (await told) as { text?: string; guard?: Record<string, unknown> };
  expect(body.text).toContain(BROKEN);
  expect(body.text).toMatch(/rolled back/i);
  expect(JSON.stringify(body.guard)).toContain(BROKEN);
  const rollback = guardEvaluations(guard.output()).find((e) => e.canary === BROKEN && e.decision === 'rollback');
  expect(rollback?.canaryFailed, "the guard's deciding evaluation").toBeGreaterThanOrEqual(3);

  // `npm run releases` says who moved it and why.
  const listed = await npmRun(registry, 'releases');
  expect(listed.stdout).toContain('guard');
  expect(listed.stdout).toContain(move?.reason ?? '(no reason recorded)');

  // Nobody gets 1.1.0 any more: not new visitors, not those whose bucket had it.
  for (let i = 0; i < 40; i++) expect((await firstVisit(`${checkout.origin}/`)).release).toBe(LIVE);
  expect(await visitAs(`${checkout.origin}/`, visitorWhere(PERCENT, true))).toEqual({ release: LIVE, rollout: 'live' });
});
