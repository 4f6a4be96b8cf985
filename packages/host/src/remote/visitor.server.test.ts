import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newVisitorId } from '@repo/releases';
import { visitorOf } from './visitor.server';

/** Answers with the visitor id the request was given. */
const server = createServer((request, response) => response.end(visitorOf(request, response)));
let origin = '';

before(async () => {
  server.listen(0);
  await once(server, 'listening');
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function get(cookie?: string) {
  const response = await fetch(origin, { headers: cookie ? { cookie } : {} });
  return { visitor: await response.text(), setCookie: response.headers.getSetCookie() };
}

describe('visitorOf', () => {
  it('gives a new visitor an id and sets it as a year-long HttpOnly cookie for the whole site', async () => {
    const { visitor, setCookie } = await get();
    assert.match(visitor, /^[0-9a-f]{32}$/);
    assert.deepEqual(setCookie, [`mf_visitor=${visitor}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly`]);
  });

  it('keeps a known visitor, among other cookies, without setting the cookie again', async () => {
    const known = newVisitorId();
    const { visitor, setCookie } = await get(`theme=dark; mf_visitor=${known}; other=1`);
    assert.equal(visitor, known);
    assert.deepEqual(setCookie, []);
  });

  it('replaces a cookie that is not a visitor id', async () => {
    const { visitor, setCookie } = await get('mf_visitor=../../etc');
    assert.match(visitor, /^[0-9a-f]{32}$/);
    assert.equal(setCookie.length, 1);
  });
});
