import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { createInstance } from '@module-federation/runtime';
import serverRemoteLoader from './server-remote-loader.ts';

// webpack gives the host's server bundle Node's own `require` under this name; the plugin hands
// it to the remote's entry. Outside webpack, the test process provides it.
(globalThis as { __non_webpack_require__?: NodeJS.Require }).__non_webpack_require__ = createRequire(import.meta.url);

/** A remote container as a server build of shop emits it: CommonJS, exporting itself by name. */
const SHOP_ENTRY = `
module.exports = { shop: {
  init() {},
  get(request) {
    if (request === './Where') return Promise.resolve(() => ({ filename: __filename, dirname: __dirname, sep: require('node:path').sep }));
    if (request === './Broken') return Promise.resolve(() => { throw new Error('shop broke'); });
    return Promise.reject(new Error('shop has no ' + request));
  },
} };
`;
const CHUNK = 'globalThis.chunkRan = () => { throw new Error("chunk broke"); };';

let server: Server;
let origin: string;

before(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/hang.js') return; // accepts the request and never answers: a frozen remote
    const body = path === '/remoteEntry.js' ? SHOP_ENTRY : path === '/chunk.js' ? CHUNK : undefined;
    response.writeHead(body === undefined ? 500 : 200, { 'content-type': 'application/javascript' });
    response.end(body ?? 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function hostLoading(entry: string, name = 'host') {
  return createInstance({
    name,
    remotes: [{ name: 'shop', entry, type: 'script' }],
    plugins: [serverRemoteLoader()],
  });
}

describe('serverRemoteLoader', () => {
  it("evaluates a remote's entry under its URL, with the host's require", async () => {
    const host = hostLoading(`${origin}/remoteEntry.js?t=1`);
    const where = await host.loadRemote<{ filename: string; dirname: string; sep: string }>('shop/Where');
    // The cache-busting query is not part of the name stack frames will show.
    assert.equal(where?.filename, `${origin}/remoteEntry.js`);
    assert.equal(where?.dirname, `${origin}/`);
    assert.equal(where?.sep, '/');
  });

  it("names the remote's URL in the stack of an error its code throws", async () => {
    const host = hostLoading(`${origin}/remoteEntry.js?t=2`, 'host-broken');
    const error = await host.loadRemote('shop/Broken').then(
      () => assert.fail('the module factory throws'),
      (thrown: unknown) => thrown as Error,
    );
    assert.equal(error.message, 'shop broke');
    assert.match(error.stack ?? '', new RegExp(`at .*${origin.replace(/\./g, '\\.')}/remoteEntry\\.js:\\d+:\\d+`));
  });

  it('lets a failed load reach the caller instead of a stand-in module', async () => {
    const host = hostLoading(`${origin}/missing.js`, 'host-down');
    await assert.rejects(host.loadRemote('shop/Where'), /answered HTTP 500/);
  });

  it('gives up on a remote that accepts the request and never answers', async () => {
    const { fetch } = serverRemoteLoader({ fetchTimeoutMs: 300 });
    await assert.rejects(async () => fetch?.(`${origin}/hang.js`, {}), { name: 'TimeoutError' });
  });

  it('appends the URL as the source name of a chunk it fetches', async () => {
    const response = await serverRemoteLoader().fetch?.(`${origin}/chunk.js?v=3`, {});
    assert.ok(response instanceof Response);
    const source = await response.text();
    assert.ok(source.endsWith(`//# sourceURL=${origin}/chunk.js\n`), source);
    // V8 names eval'd code by that comment: a stack frame reads as the chunk's URL.
    (0, eval)(source);
    const chunkRan = (globalThis as { chunkRan?: () => void }).chunkRan;
    assert.throws(() => chunkRan?.(), (error: Error) => (error.stack ?? '').includes(`${origin}/chunk.js:`));
  });

  it('drops earlier federation instances of a container before evaluating it again', async () => {
    // What an earlier evaluation of shop's entry left behind (same name, same build id).
    createInstance({ name: 'shop', remotes: [] });
    const host = hostLoading(`${origin}/remoteEntry.js?t=4`, 'host-again');
    await host.loadRemote('shop/Where');
    const names = (globalThis as { __FEDERATION__?: { __INSTANCES__?: { name: string }[] } }).__FEDERATION__?.__INSTANCES__?.map((i) => i.name);
    assert.ok(names?.includes('host-again'));
    assert.ok(!names?.includes('shop'), `instances: ${names?.join(', ')}`);
  });
});
