import { INBOX_PROJECTS } from '@repo/topology';
import { expect, test } from '../fixtures';
import { ALT_CHECKOUT, ALT_INBOX } from '../fixtures/alternate';
import { eventsOf, newRun, onlyEvent, tag, waitForEvents } from '../fixtures/inbox';

/**
 * Pointing an owner at another Sentry is one variable: this checkout server runs with
 * SENTRY_DSN_SHOP set to a second receiver. Shop's server-side error must land there, with
 * shop's key, and not in the local inbox; checkout's own error still lands in the inbox.
 */
test("SENTRY_DSN_SHOP sends shop's errors to that endpoint and nowhere else", async ({ request }) => {
  const run = newRun('alt-dsn');
  const response = await request.get(`${ALT_CHECKOUT.origin}/lab/ssr?run=${run}`);
  expect(response.status()).toBe(200);

  const event = onlyEvent(await waitForEvents('shop', run, 1, ALT_INBOX.origin));
  expect(event._inbox.publicKey).toBe(INBOX_PROJECTS.shop.publicKey);
  expect(event.projectID).toBe(String(INBOX_PROJECTS.shop.id));
  expect(tag(event, 'owner')).toBe('shop');
  expect(tag(event, 'zone')).toBe('checkout');
  expect(event.release?.version).toMatch(/^shop@/);

  for (const owner of ['home', 'shop', 'checkout'] as const) {
    expect(await eventsOf(owner, run), `the local inbox's ${owner} project`).toEqual([]);
  }
});

test("checkout's own error still goes to checkout's project when only shop's DSN moved", async ({ request }) => {
  const run = newRun('alt-dsn-own');
  const response = await request.get(`${ALT_CHECKOUT.origin}/lab/zone-ssr?run=${run}`);
  expect(response.status()).toBe(500);

  const event = onlyEvent(await waitForEvents('checkout', run));
  expect(event._inbox.publicKey).toBe(INBOX_PROJECTS.checkout.publicKey);
  expect(await eventsOf('checkout', run, ALT_INBOX.origin)).toEqual([]);
  expect(await eventsOf('shop', run, ALT_INBOX.origin)).toEqual([]);
});
