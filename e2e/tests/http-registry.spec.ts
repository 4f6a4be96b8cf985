/**
 * One pointer for more than one machine (docs/releases.md): FEDERATION_REGISTRY may be an
 * http(s) URL, here the one the inbox serves. Shop registers its releases there as it starts, the
 * release commands move it there, and hosts read it with conditional requests: they follow a
 * move, keep the last good pointer while it cannot be read (saying so once), and follow again
 * when it is back.
 *
 * This spec's own inbox (serving the registry from a file of its own), shops and checkout.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@repo/testkit/ports';
import type { RunningProcess } from '@repo/testkit/process';
import { expect, test } from '../fixtures';
import { HEALTHY, firstVisit, npmRun } from '../fixtures/releases';
import { localOrigin, startInbox, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

test.describe.configure({ mode: 'serial' });

let inboxPort: number;
let inbox: RunningProcess;
let registryFile: string;
let registryUrl: string;
let checkout: ZoneServer;
const servers: { stop(): Promise<void> }[] = [];

function serveRegistry(): Promise<RunningProcess> {
  return startInbox(inboxPort, { INBOX_REGISTRY_FILE: registryFile });
}

async function registered(): Promise<string[]> {
  const response = await fetch(registryUrl);
  if (!response.ok) return [];
  const registry = (await response.json()) as { shop?: { releases?: Record<string, unknown> } };
  return Object.keys(registry.shop?.releases ?? {}).sort();
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registryFile = join(mkdtempSync(join(tmpdir(), 'registry-http-')), 'registry.json');
  inboxPort = await freePort();
  inbox = await serveRegistry();
  registryUrl = `${localOrigin(inboxPort)}/api/releases/registry.json`;
  servers.push(await startZoneServer('shop', { port: await freePort(), registry: registryUrl }));
  await expect.poll(registered, { timeout: 30_000 }).toEqual(['1.0.0']);
  servers.push(await startZoneServer('shop', { port: await freePort(), registry: registryUrl, release: HEALTHY }));
  await expect.poll(registered, { timeout: 30_000 }).toEqual(['1.0.0', HEALTHY]);
  checkout = await startZoneServer('checkout', { port: await freePort(), registry: registryUrl });
  servers.push(checkout);
});

test.afterAll(async () => {
  await Promise.all([...servers, inbox].map((server) => server.stop()));
});

test('the registry is served with an ETag and answers a conditional request with 304', async () => {
  const first = await fetch(registryUrl);
  expect(first.status).toBe(200);
  const etag = first.headers.get('etag') ?? '';
  expect(etag).toMatch(/^"[^"]+"$/);
  const again = await fetch(registryUrl, { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  const refused = await fetch(registryUrl, { method: 'PUT', body: '{}', headers: { 'if-match': etag } });
  expect(refused.status, 'a write needs the registry token').toBe(401);
});

test('hosts follow a move made through the URL', async () => {
  expect((await firstVisit(`${checkout.origin}/`)).release).toBe('shop@1.0.0');
  const moved = await npmRun(registryUrl, 'rollback', 'shop', HEALTHY);
  expect(moved.status, moved.stderr).toBe(0);
  await expect.poll(async () => (await firstVisit(`${checkout.origin}/`)).release, { timeout: 10_000 }).toBe(`shop@${HEALTHY}`);
});

test('hosts keep the last good pointer while the registry cannot be read, say so once, and follow it again when it is back', async () => {
  const logged = () => (checkout.output().match(/last good/gi) ?? []).length;
  const before = logged();

  // The server is gone.
  await inbox.stop();
  for (let i = 0; i < 20; i++) expect((await firstVisit(`${checkout.origin}/`)).release).toBe(`shop@${HEALTHY}`);
  await expect.poll(logged, { timeout: 10_000, message: 'the host says it keeps the last good registry' }).toBe(before + 1);

  // It is back, with a move made while it was away.
  const registry = JSON.parse(readFileSync(registryFile, 'utf8')) as { shop: { live: string } };
  registry.shop.live = '1.0.0';
  writeFileSync(registryFile, JSON.stringify(registry));
  inbox = await serveRegistry();
  await expect.poll(async () => (await firstVisit(`${checkout.origin}/`)).release, { timeout: 10_000 }).toBe('shop@1.0.0');

  // A registry that is not one (a bad write behind the server's back) is survived the same way.
  const good = readFileSync(registryFile, 'utf8');
  writeFileSync(registryFile, '{ "shop": ');
  try {
    for (let i = 0; i < 20; i++) expect((await firstVisit(`${checkout.origin}/`)).release).toBe('shop@1.0.0');
    await expect.poll(logged, { timeout: 10_000 }).toBe(before + 2);
  } finally {
    writeFileSync(registryFile, good);
  }
  expect(logged(), 'once per failure streak, not once per request').toBe(before + 2);
});
