import type { RunningProcess } from '@repo/testkit/process';
import { newRun, tag } from '@repo/testkit/inbox';
import { freePort } from '@repo/testkit/ports';
import { INBOX_PROJECTS, localDsn } from '@repo/topology';
import { expect, test } from '../fixtures';
import { onlyEvent, onlyFor } from '../fixtures/inbox';
import { suiteRegistry } from '../fixtures/registry';
import { startInbox, startZoneServer } from '../fixtures/zone-servers';

/**
 * Pointing an owner at another Sentry is one variable: this spec starts a second Sentry-protocol
 * receiver (another inbox, its own storage) and a checkout server whose SENTRY_DSN_SHOP points
 * at it, beside the suite's shop (the suite's registry). Shop's server-side error must land
 * there, with shop's key, and not in the suite's inbox; checkout's own error still lands in the
 * suite's inbox.
 */
test.describe.configure({ mode: 'default' });

let receiver: RunningProcess | undefined;
let checkout: RunningProcess | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const receiverPort = await freePort();
  receiver = await startInbox(receiverPort);
  checkout = await startZoneServer('checkout', {
    port: await freePort(),
    registry: suiteRegistry(),
    env: { SENTRY_DSN_SHOP: localDsn(receiverPort, 'shop') },
  });
});

test.afterAll(async () => {
  await Promise.all([checkout?.stop(), receiver?.stop()]);
});

function started(server: RunningProcess | undefined): RunningProcess {
  if (!server) throw new Error('the spec’s servers did not start');
  return server;
}

test("SENTRY_DSN_SHOP sends shop's errors to that endpoint and nowhere else", async ({ request, runs }) => {
  const run = newRun('alt-dsn');
  const there = await runs.watch(run, { shop: 1 }, { inbox: started(receiver).origin });
  const suite = await runs.watch(run, {});
  const response = await request.get(`${started(checkout).origin}/lab/ssr?run=${run}`);
  expect(response.status()).toBe(200);

  const event = onlyEvent(onlyFor(await there.settled(), 'shop'));
  expect(event._inbox.publicKey).toBe(INBOX_PROJECTS.shop.publicKey);
  expect(event.projectID).toBe(String(INBOX_PROJECTS.shop.id));
  expect(tag(event, 'owner')).toBe('shop');
  expect(tag(event, 'zone')).toBe('checkout');
  expect(event.release?.version).toMatch(/^shop@/);

  expect(onlyFor(await suite.settled(), 'shop').map((e) => e.title), "the suite inbox's shop project").toEqual([]);
});

test("checkout's own error still goes to checkout's project when only shop's DSN moved", async ({ request, runs }) => {
  const run = newRun('alt-dsn-own');
  const suite = await runs.watch(run, { checkout: 1 });
  const there = await runs.watch(run, {}, { inbox: started(receiver).origin });
  const response = await request.get(`${started(checkout).origin}/lab/zone-ssr?run=${run}`);
  expect(response.status()).toBe(500);

  const event = onlyEvent(onlyFor(await suite.settled(), 'checkout'));
  expect(event._inbox.publicKey).toBe(INBOX_PROJECTS.checkout.publicKey);
  expect(onlyFor(await there.settled(), 'checkout').map((e) => e.title), "the second receiver's checkout project").toEqual([]);
});
