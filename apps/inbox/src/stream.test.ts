/**
 * The live stream over real HTTP: server-sent events per project.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import { HOME, type OpenStream, cleanUp, envelope, errorEvent, openStream, post, start } from './testing.ts';

const streams: OpenStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await cleanUp();
});

async function follow(url: string, slug: string, query = ''): Promise<OpenStream> {
  const stream = await openStream(`${url}/api/0/projects/${INBOX_ORG}/${slug}/events/stream/${query}`);
  streams.push(stream);
  return stream;
}

interface Message {
  eventID: string;
  title: string;
  release: { version: string } | null;
  tags: { key: string; value: string }[];
  issue: { id: string; count: string; releases: string[]; zones: string[]; shortId: string };
}

describe('event stream', () => {
  it('sends one message per new event of the project, with the event and its issue', async () => {
    const run = await start();
    const stream = await follow(run.url, 'shop');
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);

    const first = errorEvent('live 1', { release: 'shop@2.0.0', tags: { zone: 'checkout', owner: 'shop', run: 'r1' } });
    assert.equal((await post(run.url, envelope([first]))).status, 200);
    const message = await stream.next();
    assert.equal(message.id, first.event_id);
    const data = message.data as Message;
    assert.equal(data.eventID, first.event_id);
    assert.equal(data.title, 'TypeError: live 1');
    assert.deepEqual(data.release, { version: 'shop@2.0.0' });
    assert.ok(data.tags.some((t) => t.key === 'run' && t.value === 'r1'));
    assert.equal(data.issue.shortId, 'SHOP-1');
    assert.equal(data.issue.count, '1');
    assert.deepEqual(data.issue.zones, ['checkout']);

    // A duplicate is not stored, so not sent; another project's event is not sent here.
    await post(run.url, envelope([first]));
    await post(run.url, envelope([errorEvent('home')]), { project: HOME.id, key: HOME.publicKey });
    const second = errorEvent('live 2', { release: 'shop@2.1.0' });
    await post(run.url, envelope([second]));
    const next = (await stream.next()).data as Message;
    assert.equal(next.eventID, second.event_id);
    assert.equal(next.issue.count, '2');
    assert.deepEqual(next.issue.releases, ['shop@2.0.0', 'shop@2.1.0']);
  });

  it('narrows the stream with ?query=', async () => {
    const run = await start();
    const stream = await follow(run.url, 'shop', `?query=${encodeURIComponent('run:mine')}`);
    await post(run.url, envelope([errorEvent('not mine', { tags: { run: 'other' } })]));
    const mine = errorEvent('mine', { tags: { run: 'mine' } });
    await post(run.url, envelope([mine]));
    assert.equal((await stream.next()).id, mine.event_id);
  });

  it('answers 404 for an unknown project and 400 for a bad query', async () => {
    const run = await start();
    assert.equal((await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/nope/events/stream/`)).status, 404);
    assert.equal((await fetch(`${run.url}/api/0/projects/acme/shop/events/stream/`)).status, 404);
    assert.equal((await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/?query=%22open`)).status, 400);
  });

  it('ends open streams when the inbox closes', async () => {
    const run = await start();
    const open = [await follow(run.url, 'shop'), await follow(run.url, 'home')];
    await run.inbox.close();
    // Each stream's body ends (no message left in it), rather than being cut off or left open.
    for (const stream of open) assert.equal(await stream.ended, 'ended');
  });
});
