/**
 * The inbox client against the real inbox (apps/inbox), started as `npm run start` on a free
 * port with a data directory of its own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { INBOX_PROJECTS } from '@repo/topology';
import {
  collectRun,
  deliveredTo,
  eventById,
  eventsMatching,
  eventsOf,
  isBarrier,
  keysOf,
  newRun,
  sendEvent,
  tag,
  waitForEvent,
  waitForEvents,
} from './inbox.ts';
import { freePort } from './ports.ts';
import { startProcess, type RunningProcess } from './process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'testkit-inbox-'));
let server: RunningProcess;
let inbox: string;

before(async () => {
  const port = await freePort();
  server = await startProcess({
    name: 'inbox',
    command: 'npm',
    args: ['run', 'start', '--workspace', 'apps/inbox'],
    cwd: REPO,
    env: { INBOX_PORT: String(port), INBOX_DATA_DIR: dataDir, INBOX_READ_TOKEN: undefined },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
  });
  inbox = server.origin;
});

after(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the read client', () => {
  it("lists a run's events in full, newest first, and fetches one by id", async () => {
    const run = newRun('list');
    const first = await sendEvent(inbox, 'shop', { message: 'first', tags: { run } });
    const second = await sendEvent(inbox, 'shop', { message: 'second', tags: { run } });
    await sendEvent(inbox, 'home', { message: 'elsewhere', tags: { run } });
    const events = await eventsOf(inbox, 'shop', run);
    assert.deepEqual(events.map((e) => e.eventID), [second, first]);
    const [newest] = events;
    assert.ok(newest);
    assert.equal(newest.message, 'second');
    assert.equal(tag(newest, 'run'), run);
    assert.ok(deliveredTo(newest, 'shop'));
    assert.ok(!deliveredTo(newest, 'home'));
    assert.equal(newest._inbox.projectSlug, 'shop');
    assert.deepEqual(await eventById(inbox, 'shop', first), events[1]);
  });

  it('follows the pages of a long list', async () => {
    const run = newRun('pages');
    const sent = new Set<string>();
    for (let batch = 0; batch < 11; batch++) {
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => sendEvent(inbox, 'checkout', { message: `n${batch * 10 + i}`, tags: { run } })));
      ids.forEach((id) => sent.add(id));
    }
    const events = await eventsMatching(inbox, 'checkout', `run:${run}`);
    assert.equal(events.length, 110);
    assert.deepEqual(new Set(events.map((e) => e.eventID)), sent);
  });

  it("lists a project's key", async () => {
    const [key] = await keysOf(inbox, 'home');
    assert.equal(key?.public, INBOX_PROJECTS.home.publicKey);
    assert.equal(key?.projectId, INBOX_PROJECTS.home.id);
  });

  it('fails loudly on an unknown event', async () => {
    await assert.rejects(eventById(inbox, 'shop', 'f'.repeat(32)), /answered 404/);
  });
});

describe('waitForEvent', () => {
  it('resolves with the first matching event stored after it was set up, in full', async () => {
    const run = newRun('wait');
    await sendEvent(inbox, 'shop', { message: 'before the wait', tags: { run, n: '0' } });
    const wait = await waitForEvent(inbox, 'shop', (event) => tag(event, 'run') === run);
    await sendEvent(inbox, 'shop', { message: 'not this one', tags: { run: `${run}-other` } });
    const id = await sendEvent(inbox, 'shop', { message: 'this one', tags: { run, n: '1' } });
    await sendEvent(inbox, 'shop', { message: 'nor this one', tags: { run, n: '2' } });
    const event = await wait.event;
    assert.equal(event.eventID, id);
    assert.equal(event.message, 'this one');
    assert.ok(Array.isArray(event.entries), 'the full event, not the list shape');
    assert.ok(deliveredTo(event, 'shop'));
  });

  it("narrows the stream with the query, and sees only the owner's project", async () => {
    const run = newRun('query');
    const wait = await waitForEvent(inbox, 'checkout', () => true, { query: `run:${run}` });
    await sendEvent(inbox, 'shop', { message: 'shop, same run', tags: { run } });
    await sendEvent(inbox, 'checkout', { message: 'checkout, other run', tags: { run: `${run}-x` } });
    const id = await sendEvent(inbox, 'checkout', { message: 'checkout, this run', tags: { run } });
    assert.equal((await wait.event).eventID, id);
  });

  it('fails with what the stream carried when nothing matches in time', async () => {
    const run = newRun('timeout');
    const wait = await waitForEvent(inbox, 'home', () => false, { query: `run:${run}`, timeoutMs: 3_000 });
    await sendEvent(inbox, 'home', { message: 'seen but refused', tags: { run } });
    await assert.rejects(wait.event, /0 of 1 matching event\(s\) in home's project .* it got: seen but refused/);
  });

  it('waits for several events, in store order', async () => {
    const run = newRun('several');
    const wait = await waitForEvents(inbox, 'shop', (event) => event.message !== 'skip', { query: `run:${run}`, count: 2 });
    const first = await sendEvent(inbox, 'shop', { message: 'one', tags: { run } });
    await sendEvent(inbox, 'shop', { message: 'skip', tags: { run } });
    const second = await sendEvent(inbox, 'shop', { message: 'two', tags: { run } });
    assert.deepEqual((await wait.events).map((e) => e.eventID), [first, second]);
  });

  it('says how many arrived when too few do', async () => {
    const run = newRun('too-few');
    const wait = await waitForEvents(inbox, 'shop', () => true, { query: `run:${run}`, count: 2, timeoutMs: 3_000 });
    await sendEvent(inbox, 'shop', { message: 'only one', tags: { run } });
    await assert.rejects(wait.events, /1 of 2 matching event\(s\)/);
  });

  it('refuses a query the inbox cannot read', async () => {
    await assert.rejects(waitForEvent(inbox, 'home', () => true, { query: 'run:"unterminated' }), /answered 400/);
  });
});

describe('collectRun', () => {
  it('returns every event of the run in every project up to the barrier, and nothing of other runs', async () => {
    const run = newRun('collect');
    const collection = await collectRun(inbox, run);
    const shopIds = [
      await sendEvent(inbox, 'shop', { message: 'one', tags: { run } }),
      await sendEvent(inbox, 'shop', { message: 'two', tags: { run } }),
    ];
    const homeId = await sendEvent(inbox, 'home', { message: 'three', tags: { run } });
    await sendEvent(inbox, 'checkout', { message: 'other run', tags: { run: `${run}-other` } });
    const got = await collection.untilBarrier();
    assert.deepEqual(got.shop.map((e) => e.eventID), shopIds, 'in store order');
    assert.deepEqual(got.home.map((e) => e.eventID), [homeId]);
    assert.deepEqual(got.checkout, []);
    assert.ok(got.home[0]?.entries, 'in full');
    // The barriers stay in the inbox, marked.
    const stored = await eventsOf(inbox, 'checkout', run);
    assert.equal(stored.length, 1);
    assert.ok(stored[0] && isBarrier(stored[0]));
  });

  it('collects only the projects it is given', async () => {
    const run = newRun('collect-some');
    const collection = await collectRun(inbox, run, { owners: ['checkout'] });
    const id = await sendEvent(inbox, 'checkout', { message: 'mine', tags: { run } });
    await sendEvent(inbox, 'shop', { message: 'not collected', tags: { run } });
    const got = await collection.untilBarrier();
    assert.deepEqual(got.checkout.map((e) => e.eventID), [id]);
    assert.deepEqual(got.shop, []);
    assert.deepEqual(await eventsOf(inbox, 'home', run), [], 'no barrier where nothing was collected');
  });
});

describe('when the inbox goes', () => {
  it('a pending wait fails at once instead of timing out', async () => {
    const wait = await waitForEvent(inbox, 'shop', () => true, { timeoutMs: 60_000 });
    await server.stop();
    await assert.rejects(wait.event, /ended the stream|broke/);
  });
});
