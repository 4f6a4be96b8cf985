import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { load, percentile } from './load.ts';
import { freePort } from './ports.ts';

const seen: { method: string; url: string; body: string }[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', body });
    response.writeHead(request.url === '/fail' ? 500 : 200).end('ok');
  });
});
let origin = '';

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

describe('load', () => {
  it('sends the requests asked for and reports what came back', async () => {
    seen.length = 0;
    const result = await load({ url: `${origin}/ok`, connections: 4, amount: 200 });
    assert.equal(result.requests, 200);
    assert.equal(seen.length, 200);
    assert.equal(result.errors, 0);
    assert.equal(result.non2xx, 0);
    assert.ok(result.requestsPerSecond > 0);
    const { p50, p95, p99, max, mean } = result.latency;
    assert.ok(p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= max && mean <= max, JSON.stringify(result.latency));
  });

  it('counts answers outside 2xx', async () => {
    const result = await load({ url: `${origin}/fail`, connections: 2, amount: 20 });
    assert.equal(result.non2xx, 20);
  });

  it('sends a request list, each request set up afresh', async () => {
    seen.length = 0;
    let n = 0;
    const result = await load({
      url: origin,
      connections: 1,
      amount: 10,
      requests: [{ method: 'POST', path: '/ingest', setupRequest: (request) => ({ ...request, body: `event ${n++}` }) }],
    });
    assert.equal(result.requests, 10);
    assert.deepEqual(new Set(seen.map((r) => `${r.method} ${r.url}`)), new Set(['POST /ingest']));
    assert.equal(new Set(seen.map((r) => r.body)).size, 10, 'a fresh body each time');
  });

  it('fails when nothing answers', async () => {
    const port = await freePort();
    await assert.rejects(load({ url: `http://127.0.0.1:${port}/`, connections: 1, seconds: 1 }), /no response under load/);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.throws(() => percentile([], 50));
  });
});
