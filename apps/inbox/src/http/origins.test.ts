/**
 * Cross-origin reads (origins.ts) over real HTTP: a page of another origin cannot read any read
 * endpoint, preflight or not; the zones' pages and the allowlisted origins can, the stream
 * included; the inbox's own pages need nothing. (Ingest stays open to every origin:
 * ingest.test.ts.)
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG, topology } from '@repo/topology';
import { ZONE_ORIGINS } from '../config.ts';
import { type OpenStream, type Running, cleanUp, envelope, errorEvent, listIssues, openStream, post, start } from '../testing.ts';

const streams: OpenStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await cleanUp();
});

/** Every read path: the API (keys included), the UI and its files, /healthz. */
async function readPaths(run: Running): Promise<string[]> {
  const event = errorEvent('origins');
  assert.equal((await post(run.url, envelope([event]))).status, 200);
  const [issue] = await listIssues(run);
  const projects = `/api/0/projects/${INBOX_ORG}/shop`;
  return [
    `${projects}/events/`,
    `${projects}/events/${String(event.event_id)}/`,
    `${projects}/issues/`,
    `${projects}/keys/`,
    `${projects}/events/stream/`,
    '/',
    '/teams/shop',
    `/issues/shop/${String(issue?.id)}/`,
    `/events/shop/${String(event.event_id)}`,
    '/ui/live.js',
    '/healthz',
  ];
}

const FOREIGN = ['http://evil.example', 'null', 'http://localhost:1234', 'https://localhost:3000'];

describe('cross-origin reads', () => {
  it('refuses every read endpoint to a page of another origin, preflight included, and grants it nothing', async () => {
    const run = await start();
    for (const path of await readPaths(run)) {
      // Without an Origin (curl, the inbox's own pages) the path answers: the refusal is the origin's.
      const plain = await fetch(`${run.url}${path}`, { signal: AbortSignal.timeout(5000) });
      assert.equal(plain.status, 200, path);
      await plain.body?.cancel();
      for (const origin of FOREIGN) {
        const where = `${path} from ${origin}`;
        const read = await fetch(`${run.url}${path}`, { headers: { origin } });
        assert.equal(read.status, 403, where);
        assert.equal(read.headers.get('access-control-allow-origin'), null, where);
        assert.match(((await read.json()) as { detail: string }).detail, /^Refused: pages of ".*" may not read this inbox/, where);

        const preflight = await fetch(`${run.url}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
        });
        assert.equal(preflight.status, 403, `preflight ${where}`);
        assert.equal(preflight.headers.get('access-control-allow-origin'), null, `preflight ${where}`);
        assert.equal(preflight.headers.get('access-control-allow-headers'), null, `preflight ${where}`);
      }
    }
  });

  it("lets a zone's page follow the stream, with Access-Control-Allow-Origin naming that zone", async () => {
    const run = await start();
    const lab = topology.zones.home.origin;
    const stream = await openStream(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/`, { origin: lab });
    streams.push(stream);
    assert.equal(stream.response.status, 200);
    assert.equal(stream.response.headers.get('access-control-allow-origin'), lab);
    assert.match(stream.response.headers.get('vary') ?? '', /Origin/);
    const event = errorEvent('seen by the lab');
    await post(run.url, envelope([event]));
    assert.equal((await stream.next()).id, event.event_id);

    const preflight = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/`, {
      method: 'OPTIONS',
      headers: { origin: lab, 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), lab);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /last-event-id/);
  });

  it('lets every zone and each INBOX_ALLOWED_ORIGINS origin read the API, exposing Link', async () => {
    const run = await start({ allowedOrigins: [...ZONE_ORIGINS, 'http://lab.test:4000'] });
    await post(run.url, envelope([errorEvent('allowed')]));
    for (const origin of [...ZONE_ORIGINS, 'http://lab.test:4000']) {
      const response = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/`, { headers: { origin } });
      assert.equal(response.status, 200, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.match(response.headers.get('access-control-expose-headers') ?? '', /Link/);
      assert.equal(((await response.json()) as unknown[]).length, 1);
    }
    // Allowlisting one origin allows no other.
    const other = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/`, { headers: { origin: 'http://lab.test:4001' } });
    assert.equal(other.status, 403);
  });

  it("serves the inbox's own pages, whose Origin is the inbox's own", async () => {
    const run = await start();
    const response = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/`, { headers: { origin: run.url } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null, 'same-origin needs no grant');
  });
});
