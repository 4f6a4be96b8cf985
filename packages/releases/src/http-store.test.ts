import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { refusal } from './fixtures/refusal.ts';
import { startRegistryServer, type RegistryServer } from './fixtures/registry-server.ts';
import { runWritersAtOnce } from './fixtures/writers.ts';
import { parseRegistry } from './model.ts';
import { DEFAULT_REGISTRY_TOKEN, endCanary, moveLive, openRegistryStore, registerRelease, registryToken, startCanary } from './store.ts';

describe('the registry at an HTTP URL', () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistryServer(DEFAULT_REGISTRY_TOKEN);
  });
  after(() => server.stop());

  it('takes the token from FEDERATION_REGISTRY_TOKEN, else the local default', () => {
    assert.equal(registryToken({}), DEFAULT_REGISTRY_TOKEN);
    assert.equal(registryToken({ FEDERATION_REGISTRY_TOKEN: ' own ' }), 'own');
  });

  it('creates the registry on the first write, then changes it with If-Match, and reads back what it wrote', async () => {
    server.set(null);
    const store = openRegistryStore(server.url);
    assert.deepEqual(await store.read(), {});
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    await registerRelease(store, 'shop', '1.2.0', 'http://localhost:3012', { live: 'if-none', by: 'start' });
    await startCanary(store, 'shop', '1.2.0', 25, 'canary');
    const shop = (await store.read()).shop;
    assert.deepEqual([shop?.live, shop?.canary?.version, shop?.canary?.percent], ['1.0.0', '1.2.0', 25]);
    assert.deepEqual(parseRegistry(server.text() ?? ''), await store.read());
    assert.ok((server.counts.get('PUT 200') ?? 0) >= 3);
  });

  it('writes nothing when a change changes nothing', async () => {
    const store = openRegistryStore(server.url);
    const puts = server.counts.get('PUT 200');
    assert.equal(await endCanary(store, 'shop', { by: 'guard', onlyIf: '9.9.9' }), null);
    assert.equal(server.counts.get('PUT 200'), puts);
  });

  it('applies a change again to what another writer wrote in between (412), losing neither', async () => {
    server.set(null);
    await runWritersAtOnce(server.url, ['a', 'b', 'c'], 15);
    const releases = Object.keys(parseRegistry(server.text() ?? '').shop?.releases ?? {});
    assert.equal(releases.length, 45, `registered: ${releases.join(' ')}`);
  });

  it('refuses a write without the right token, naming the URL and the status, and changes nothing', async () => {
    const before = server.text();
    const store = openRegistryStore(server.url, { FEDERATION_REGISTRY_TOKEN: 'wrong' });
    await assert.rejects(
      registerRelease(store, 'shop', '2.0.0', 'http://localhost:3020', { live: 'never', by: 'test' }),
      refusal(new RegExp(`release registry ${server.url}: PUT answered 401 Unauthorized: a registry token is required`)),
    );
    assert.equal(server.text(), before);
  });

  it('says what the server answered when it fails, and refuses a registry it cannot parse', async () => {
    const store = openRegistryStore(server.url);
    server.failWith(503);
    try {
      await assert.rejects(store.read(), refusal(new RegExp(`release registry ${server.url}: GET answered 503 Service Unavailable: failing on purpose`)));
      await assert.rejects(moveLive(store, 'shop', '1.0.0', 'rollback'), refusal(/GET answered 503/));
    } finally {
      server.failWith(null);
    }
    const good = server.text();
    server.set('{"shop": {"releases": 3}}');
    try {
      await assert.rejects(store.read(), refusal(new RegExp(`${server.url}: shop needs "releases"`)));
    } finally {
      server.set(good);
    }
  });

  it('names the URL when nothing answers there', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/registry.json`;
    await assert.rejects(openRegistryStore(nowhere).read(), refusal(new RegExp(`release registry ${nowhere} cannot be reached \\(GET\\): .*ECONNREFUSED`)));
  });
});
