import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInstance, type ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import browserRemoteLoader, { REMOTE_SCRIPT_TIMEOUT_MS, withoutCacheBusting } from './browser-remote-loader.ts';

/** The one DOM call the plugin makes, as a browser answers it: a fresh element to fill in. */
function withDocument<T>(run: () => T): T {
  const scope = globalThis as { document?: Pick<Document, 'createElement'> };
  scope.document = { createElement: ((tag: string) => ({ tagName: tag.toUpperCase() })) as Document['createElement'] };
  try {
    return run();
  } finally {
    delete scope.document;
  }
}

describe('browserRemoteLoader', () => {
  it("creates a remote's script tag as a CORS script, so its errors keep their stack", () => {
    const url = 'http://localhost:3001/_next/static/chunks/remoteEntry.js';
    const created = withDocument(() => browserRemoteLoader().createScript?.({ url }));
    assert.ok(created && 'script' in created);
    const script = created.script as HTMLScriptElement;
    assert.equal(script.tagName, 'SCRIPT');
    assert.equal(script.src, url);
    assert.equal(script.crossOrigin, 'anonymous');
    assert.equal(script.async, true);
    assert.equal(created.timeout, REMOTE_SCRIPT_TIMEOUT_MS);
  });

  it('gives up on a script after the timeout it was given', () => {
    const created = withDocument(() => browserRemoteLoader({ scriptTimeoutMs: 1_500 }).createScript?.({ url: 'http://x/a.js' }));
    assert.ok(created && 'timeout' in created);
    assert.equal(created.timeout, 1_500);
  });

  it('lets a failed load reach the caller instead of a stand-in module', () => {
    const failure = new Error('shop is down');
    const origin = createInstance({ name: 'host', remotes: [] });
    const { errorLoadRemote } = browserRemoteLoader();
    assert.throws(() => errorLoadRemote?.({ id: 'shop/Header', error: failure, from: 'runtime', lifecycle: 'onLoad', origin }), failure);
  });

  it("takes nextjs-mf's timestamp off a release's entry URL, so the browser may keep the entry", async () => {
    const loaded = await entriesLoaded({ cacheBusting: false });
    assert.deepEqual(loaded, ['http://localhost:3011/_next/static/chunks/remoteEntry.js?v=1.1.0']);
  });

  it('keeps the timestamp under next dev, where a rebuilt remote keeps its URL', async () => {
    const [loaded] = await entriesLoaded({ cacheBusting: true });
    assert.match(loaded ?? '', /remoteEntry\.js\?v=1\.1\.0&t=\d+$/);
  });

  it('leaves a URL without a timestamp as it is', () => {
    assert.equal(withoutCacheBusting('http://x/remoteEntry.js?v=1.0.0&t=1'), 'http://x/remoteEntry.js?v=1.0.0');
    assert.equal(withoutCacheBusting('http://x/remoteEntry.js?t=1'), 'http://x/remoteEntry.js');
    assert.equal(withoutCacheBusting('http://x/remoteEntry.js?v=1.0.0'), 'http://x/remoteEntry.js?v=1.0.0');
  });
});

/**
 * What nextjs-mf's runtime plugin does before each request (its runtimePlugin.js `beforeRequest`):
 * a timestamp on the entry URL of the remote asked for, unless it has one.
 */
const nextjsMfCacheBusting: ModuleFederationRuntimePlugin = {
  name: 'nextjs-mf-cache-busting',
  beforeRequest(args) {
    for (const remote of args.options.remotes) {
      if ('entry' in remote && !/[?&]t=/.test(remote.entry)) remote.entry += `${remote.entry.includes('?') ? '&' : '?'}t=${Date.now()}`;
    }
    return args;
  },
};

let hosts = 0;

/** The entry URLs a host's runtime asks for, loading a release's module twice, with nextjs-mf's plugin before ours. */
async function entriesLoaded(options: { cacheBusting: boolean }): Promise<string[]> {
  const loaded: string[] = [];
  const recorder: ModuleFederationRuntimePlugin = {
    name: 'entry-recorder',
    async loadEntry({ remoteInfo }) {
      loaded.push(remoteInfo.entry);
      const container = { init: () => undefined, get: async () => () => ({ Header: 'shop' }) };
      return container as unknown as Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;
    },
  };
  const host = createInstance({
    name: `browser-host-${++hosts}`,
    remotes: [{ name: 'shop-1-1-0', entry: 'http://localhost:3011/_next/static/chunks/remoteEntry.js?v=1.1.0', entryGlobalName: 'shop' }],
    plugins: [nextjsMfCacheBusting, browserRemoteLoader(options), recorder],
  });
  await host.loadRemote('shop-1-1-0/Header');
  return loaded;
}

