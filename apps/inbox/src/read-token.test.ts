/**
 * The read token over real HTTP (http/read-token.ts): the read API, the stream and the UI ask for
 * it; ingest, /healthz and the UI's files do not. (The console's use of it: console/.)
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import { cleanUp, envelope, errorEvent, eventsUrl, openStream, post, start } from './testing.ts';

afterEach(cleanUp);

const TOKEN = 'tok-3f9a1c';
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('read token', () => {
  it('guards the read API with Authorization: Bearer, not with ?token=', async () => {
    const run = await start({ readToken: TOKEN });
    const url = eventsUrl(run);
    const without = await fetch(url);
    assert.equal(without.status, 401);
    assert.equal(without.headers.get('www-authenticate'), 'Bearer realm="inbox"');
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${url}?token=${TOKEN}`)).status, 401, 'tokens in API URLs end up in logs');
    assert.equal((await fetch(url, { headers: bearer })).status, 200);
    assert.equal((await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/issues/`, { headers: bearer })).status, 200);
  });

  it('lets ingest and /healthz through without it', async () => {
    const run = await start({ readToken: TOKEN });
    assert.equal((await post(run.url, envelope([errorEvent('ingest')]))).status, 200);
    assert.equal((await fetch(`${run.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${run.url}/ui/live.js`)).status, 200);
    assert.equal(run.inbox.storedCount, 1);
  });

  it('guards the UI, which takes ?token= and carries it into its links', async () => {
    const run = await start({ readToken: TOKEN });
    const event = errorEvent('ui');
    await post(run.url, envelope([event]));
    const refused = await fetch(`${run.url}/teams/shop`);
    assert.equal(refused.status, 401);
    assert.ok(!(await refused.text()).includes('TypeError'));
    const page = await fetch(`${run.url}/teams/shop?token=${TOKEN}`);
    assert.equal(page.status, 200);
    const markup = await page.text();
    assert.ok(markup.includes(`/events/shop/${String(event.event_id)}?token=${TOKEN}`));
    assert.equal((await fetch(`${run.url}/`, { headers: bearer })).status, 200);
  });

  it('guards the stream, which takes ?token= (EventSource cannot send headers)', async () => {
    const run = await start({ readToken: TOKEN });
    const path = `${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/`;
    assert.equal((await fetch(path)).status, 401);
    const stream = await openStream(`${path}?token=${TOKEN}`);
    try {
      assert.equal(stream.response.status, 200);
      const event = errorEvent('streamed');
      await post(run.url, envelope([event]));
      assert.equal((await stream.next()).id, event.event_id);
    } finally {
      stream.close();
    }
  });
});
