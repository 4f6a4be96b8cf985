/**
 * The Host check (host-check.ts) over real HTTP: a page at a rebinding name (the attacker's,
 * resolving to the inbox's address) is refused on every route but ingest, token or not; the
 * inbox's own names and the allowlisted ones are served.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import {
  type Running,
  SHOP,
  cleanUp,
  envelope,
  errorEvent,
  getJson,
  issuesUrl,
  listEvents,
  post,
  requestWithHost,
  start,
} from '../testing.ts';
import { hostNames, isLoopbackName } from './host-check.ts';

afterEach(cleanUp);

const TOKEN = 'tok-host-8d2';

/** Every route but ingest, with the method each takes. */
async function routes(run: Running, readToken: string | undefined): Promise<[string, string][]> {
  const event = errorEvent('host check');
  assert.equal((await post(run.url, envelope([event]))).status, 200);
  const issues = await getJson(issuesUrl(run), readToken ? { authorization: `Bearer ${readToken}` } : {});
  const [issue] = issues.body as { id: string }[];
  const projects = `/api/0/projects/${INBOX_ORG}/shop`;
  return [
    ['GET', '/'],
    ['GET', '/teams/shop'],
    ['GET', `/issues/shop/${String(issue?.id)}/`],
    ['GET', `/events/shop/${String(event.event_id)}`],
    ['GET', '/ui/live.js'],
    ['GET', '/ui/inbox.css'],
    ['GET', '/healthz'],
    ['GET', `${projects}/events/`],
    ['GET', `${projects}/events/${String(event.event_id)}/`],
    ['GET', `${projects}/issues/`],
    ['GET', `${projects}/keys/`],
    ['GET', `${projects}/events/stream/`],
    ['OPTIONS', `${projects}/events/`],
    ['POST', '/api/releases/shop/live'],
    ['OPTIONS', '/api/releases/shop/live'],
    ['GET', '/nothing-here'],
    ['GET', '/api/nothing-here/'],
  ];
}

describe('Host check', () => {
  it('refuses a rebinding Host with 421 and the reason on every route but ingest, token or not', async () => {
    for (const readToken of [undefined, TOKEN]) {
      const run = await start({ readToken });
      const port = new URL(run.url).port;
      for (const [method, path] of await routes(run, readToken)) {
        // Everything a browser would send after rebinding, and the token too: the name decides.
        for (const host of [`rebound.example:${port}`, `rebound.example`, `127.0.0.1.nip.io:${port}`]) {
          const answer = await requestWithHost(`${run.url}${path}${readToken ? `?token=${readToken}` : ''}`, host, {
            method,
            headers: {
              origin: `http://${host}`,
              ...(readToken ? { authorization: `Bearer ${readToken}` } : {}),
              ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
            },
            body: method === 'POST' ? '{"version":"1.0.0"}' : undefined,
          });
          const where = `${method} ${path} Host ${host}${readToken ? ' with the token' : ''}`;
          assert.equal(answer.status, 421, where);
          assert.equal(answer.headers['access-control-allow-origin'], undefined, where);
          const { detail } = JSON.parse(answer.body) as { detail: string };
          assert.ok(detail.startsWith(`Refused: Host ${JSON.stringify(host)} is not one of this inbox's names`), `${where}: ${detail}`);
          assert.ok(detail.includes('INBOX_ALLOWED_ORIGINS'), where);
        }
      }
    }
  });

  it('lets ingest in under any Host: SDKs may reach the inbox under any name', async () => {
    const run = await start();
    const event = errorEvent('from a container');
    const path = `/api/${SHOP.id}/envelope/?sentry_key=${SHOP.publicKey}&sentry_version=7`;
    const stored = await requestWithHost(`${run.url}${path}`, 'inbox-container:9000', { method: 'POST', body: envelope([event]) });
    assert.equal(stored.status, 200, stored.body);
    assert.deepEqual(JSON.parse(stored.body), { id: event.event_id });
    const viaStore = await requestWithHost(`${run.url}/api/${SHOP.id}/store/?sentry_key=${SHOP.publicKey}`, 'rebound.example', {
      method: 'POST',
      body: JSON.stringify(errorEvent('to the store endpoint')),
    });
    assert.equal(viaStore.status, 200, viaStore.body);
    const preflight = await requestWithHost(`${run.url}${path}`, 'rebound.example', {
      method: 'OPTIONS',
      headers: { origin: 'http://rebound.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.deepEqual(
      (await listEvents(run)).map((e) => e.title),
      ['TypeError: to the store endpoint', 'TypeError: from a container'],
    );
  });

  it("serves the inbox's own names, loopback in any spelling, and the allowlisted origins' names", async () => {
    const run = await start({ allowedOrigins: ['http://inbox.test:4000'] });
    const port = new URL(run.url).port;
    const url = `${run.url}/api/0/projects/${INBOX_ORG}/shop/keys/`;
    for (const host of [
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `localhost.:${port}`,
      `shop.localhost:${port}`,
      `127.0.0.1:${port}`,
      `127.9.8.7:${port}`,
      `[::1]:${port}`,
      'localhost',
      `inbox.test:${port}`,
    ]) {
      const answer = await requestWithHost(url, host);
      assert.equal(answer.status, 200, host);
      assert.equal((JSON.parse(answer.body) as { public: string }[])[0]?.public, SHOP.publicKey, host);
    }
    for (const host of [`0.0.0.0:${port}`, `localhost.example:${port}`, `127.0.0.1.example:${port}`, `[::2]:${port}`, `inbox.test.evil:${port}`]) {
      assert.equal((await requestWithHost(url, host)).status, 421, host);
    }
  });

  it('names loopback, the listen address unless a wildcard, and the allowlisted origins', () => {
    for (const name of ['localhost', 'a.b.localhost', '127.0.0.1', '127.255.0.1', '[::1]', '[::ffff:7f00:1]']) {
      assert.ok(isLoopbackName(name), name);
    }
    for (const name of ['localhost.evil', 'evil-localhost', '128.0.0.1', '0.0.0.0', '[::]', '[::2]', 'evil.example']) {
      assert.ok(!isLoopbackName(name), name);
    }
    const lan = hostNames('192.168.1.20', ['http://lab.test:4000']);
    assert.deepEqual(lan.extra, ['192.168.1.20', 'lab.test']);
    assert.ok(lan.allows('192.168.1.20:9000'));
    assert.ok(lan.allows('lab.test:9000'));
    assert.ok(lan.allows('localhost:9000'));
    assert.ok(!lan.allows('192.168.1.21:9000'));
    assert.ok(!lan.allows(undefined));
    assert.ok(!lan.allows('bad host name'));
    assert.deepEqual(hostNames('0.0.0.0', []).extra, []);
    assert.deepEqual(hostNames('::', []).extra, []);
    assert.deepEqual(hostNames('fd00::5', []).extra, ['[fd00::5]']);
  });
});
