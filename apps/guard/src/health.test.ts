/**
 * The health client's requests and readings, against an HTTP server that answers with the shapes
 * of Sentry's docs (its sessions endpoint and project details), so what works here works against
 * real Sentry; the guard's tests read the real inbox.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { countsFromResponse, createHealthClient, HealthError } from './health.ts';

interface Answer {
  readonly status: number;
  readonly body: string;
}

let server: Server;
let origin: string;
const requests: { url: URL; authorization: string | undefined }[] = [];
let answer: (request: IncomingMessage, url: URL) => Answer;

const projects = { home: 'web-home', shop: 'web-shop', checkout: 'web-checkout' };

before(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    requests.push({ url, authorization: request.headers.authorization });
    const { status, body } = answer(request, url);
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests.length = 0;
});

/** A sessions answer as Sentry's docs show it: a group per release and status, zeros included. */
function sessionsBody(groups: [release: string, status: string, count: number | null][]): string {
  return JSON.stringify({
    start: '2026-12-01T10:00:00Z',
    end: '2026-12-01T10:06:00Z',
    intervals: ['2026-12-01T10:00:00Z'],
    groups: groups.map(([release, status, count]) => ({
      by: { 'session.status': status, release },
      totals: { 'sum(session)': count },
      series: { 'sum(session)': [count] },
    })),
    query: '',
  });
}

function sentry(groups: [string, string, number | null][]): (request: IncomingMessage, url: URL) => Answer {
  return (_request, url) => {
    if (url.pathname === '/api/0/projects/acme/web-shop/') return { status: 200, body: JSON.stringify({ id: '4505281256090153', slug: 'web-shop', name: 'web-shop' }) };
    if (url.pathname === '/api/0/organizations/acme/sessions/') return { status: 200, body: sessionsBody(groups) };
    return { status: 404, body: JSON.stringify({ detail: 'The requested resource does not exist' }) };
  };
}

describe('the health client', () => {
  test('asks for the project id once, then the sessions by release and status in the window, with the token', async () => {
    answer = sentry([
      ['shop@1.1.0', 'healthy', 3],
      ['shop@1.1.0', 'errored', 7],
      ['shop@1.1.0', 'crashed', 2],
      ['shop@1.1.0', 'abnormal', 0],
      ['shop@1.0.0', 'healthy', 40],
      ['shop@1.0.0', 'errored', 1],
    ]);
    const client = createHealthClient({ url: origin, org: 'acme', token: 'sntrys_secret', projects });
    const start = new Date('2026-12-01T10:00:30.250Z');
    const end = new Date('2026-12-01T10:05:30.250Z');
    const counts = await client.countsByRelease('shop', start, end);
    assert.deepEqual(Object.fromEntries(counts), {
      'shop@1.1.0': { sessions: 12, failed: 9 },
      'shop@1.0.0': { sessions: 41, failed: 1 },
    });
    await client.countsByRelease('shop', start, end);

    assert.deepEqual(
      requests.map((r) => r.url.pathname),
      ['/api/0/projects/acme/web-shop/', '/api/0/organizations/acme/sessions/', '/api/0/organizations/acme/sessions/'],
    );
    assert.ok(requests.every((r) => r.authorization === 'Bearer sntrys_secret'));
    const query = requests[1]?.url.searchParams;
    assert.deepEqual(query?.getAll('project'), ['4505281256090153']);
    assert.deepEqual(query?.getAll('field'), ['sum(session)']);
    assert.deepEqual(query?.getAll('groupBy'), ['release', 'session.status']);
    assert.equal(query?.get('start'), '2026-12-01T10:00:30.250Z');
    assert.equal(query?.get('end'), '2026-12-01T10:05:30.250Z');
    assert.equal(query?.get('interval'), '1m');
  });

  test('sends no authorization without a token', async () => {
    answer = sentry([]);
    const counts = await createHealthClient({ url: origin, org: 'acme', token: undefined, projects }).countsByRelease('shop', new Date(0), new Date());
    assert.equal(counts.size, 0);
    assert.ok(requests.every((r) => r.authorization === undefined));
  });

  test('counts any status but healthy as failed (unhandled, or one added later), and a null sum as none', () => {
    const counts = countsFromResponse(
      JSON.parse(
        sessionsBody([
          ['shop@1.1.0', 'healthy', null],
          ['shop@1.1.0', 'unhandled', 2],
          ['shop@1.1.0', 'errored', null],
        ]),
      ),
    );
    assert.deepEqual(counts.get('shop@1.1.0'), { sessions: 2, failed: 2 });
  });

  test('refuses an answer that is not the sessions shape', () => {
    assert.throws(() => countsFromResponse({ data: [] }), HealthError);
    assert.throws(() => countsFromResponse({ groups: [{ by: { release: 'shop@1.0.0' }, totals: { 'sum(session)': 1 } }] }), /not by release and session\.status/);
    assert.throws(
      () => countsFromResponse({ groups: [{ by: { release: 'shop@1.0.0', 'session.status': 'healthy' }, totals: { 'sum(session)': '1' } }] }),
      /not a count/,
    );
  });

  test('says what to set when the token is refused or the project is unknown', async () => {
    answer = () => ({ status: 401, body: JSON.stringify({ detail: 'Invalid token' }) });
    await assert.rejects(
      createHealthClient({ url: origin, org: 'acme', token: 'wrong', projects }).countsByRelease('shop', new Date(0), new Date()),
      (error: Error) => error instanceof HealthError && /answered 401: Invalid token \(SENTRY_AUTH_TOKEN, else INBOX_READ_TOKEN, was refused/.test(error.message),
    );
    answer = sentry([]);
    await assert.rejects(
      createHealthClient({ url: origin, org: 'acme', token: 't', projects: { ...projects, shop: 'nope' } }).countsByRelease('shop', new Date(0), new Date()),
      /answered 404: The requested resource does not exist \(is SENTRY_ORG=acme right, and SENTRY_PROJECT_SHOP=nope\?\)/,
    );
  });

  test('says when nothing answers', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      createHealthClient({ url, org: 'local', token: undefined, projects }).countsByRelease('shop', new Date(0), new Date()),
      /GET http:\/\/127\.0\.0\.1:\d+\/api\/0\/projects\/local\/web-shop\/ failed: .*ECONNREFUSED/,
    );
  });
});
