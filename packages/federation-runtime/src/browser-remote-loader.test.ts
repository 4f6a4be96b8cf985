import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInstance } from '@module-federation/runtime';
import browserRemoteLoader, { REMOTE_SCRIPT_TIMEOUT_MS } from './browser-remote-loader.ts';

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
});
