/**
 * Ingest of release-health sessions over real HTTP (ingest.ts, sessions/protocol.ts,
 * sessions/store.ts): envelopes made by @sentry/core's own functions, updates merged by sid in any
 * order, aggregates, and malformed session items refused whole with their reason.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  type Envelope,
  closeSession,
  createEventEnvelope,
  createSessionEnvelope,
  createTransport,
  getEnvelopeEndpointWithUrlEncodedAuth,
  makeDsn,
} from '@sentry/core';
import { HOME, SHOP, assertNothingStored, cleanUp, detail, envelope, errorEvent, listEvents, newId, post, start } from './testing.ts';
import { byReleaseAndStatus, postSession, readSessions, sdkSession, sdkUpdate, sessionEnvelope } from './sessions/testing.ts';

afterEach(cleanUp);

const BY_STATUS = 'field=sum(session)&groupBy=release&groupBy=session.status&statsPeriod=1h&interval=1h';

/** Seconds since the epoch, as the SDK counts time. */
function secondsAgo(seconds: number): number {
  return Date.now() / 1000 - seconds;
}

/** A hand-written session item's payload (for what the SDK never sends). */
function sessionItem(payload: Record<string, unknown>): string {
  return `{"type":"session"}\n${JSON.stringify(payload)}`;
}

function validSession(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sid: newId(), init: true, started: new Date().toISOString(), status: 'ok', errors: 0, attrs: { release: 'shop@1.0.0' }, ...extra };
}

describe('ingest of sessions', () => {
  it('stores a session the SDK made, posted as its transport posts it, and counts it once', async () => {
    const run = await start();
    const session = sdkSession({ release: 'shop@1.2.0', did: 'visitor-1' });
    const response = await postSession(run, session);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    assert.equal(run.inbox.sessionCount, 1);
    assert.equal(run.inbox.storedCount, 0, 'a session is no event');
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), { 'shop@1.2.0/healthy': 1 });
  });

  it('merges the updates of a session by sid: the worst status, the most errors; errors > 0 is errored', async () => {
    const run = await start();
    const errored = sdkSession({ release: 'shop@1.2.0' });
    const crashed = sdkSession({ release: 'shop@1.2.0' });
    const exited = sdkSession({ release: 'shop@1.2.0' });
    for (const session of [errored, crashed, exited]) assert.equal((await postSession(run, session)).status, 200);

    // The SDK's way of saying errored: status ok with an error counted, then the session closed.
    assert.equal((await postSession(run, sdkUpdate(errored, { errors: 1 }))).status, 200);
    closeSession(errored);
    assert.equal((await postSession(run, errored)).status, 200);
    assert.equal((await postSession(run, sdkUpdate(crashed, { status: 'crashed', errors: 1 }))).status, 200);
    // A late, milder update does not heal a crashed session.
    assert.equal((await postSession(run, sdkUpdate(crashed, { status: 'exited', errors: 0 }))).status, 200);
    closeSession(exited);
    assert.equal((await postSession(run, exited)).status, 200);

    assert.equal(run.inbox.sessionCount, 3);
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), {
      'shop@1.2.0/healthy': 1,
      'shop@1.2.0/errored': 1,
      'shop@1.2.0/crashed': 1,
    });
  });

  it('keeps an update that arrives before its init, and counts the session once the init arrives, with its start', async () => {
    const run = await start();
    const init = sdkSession({ release: 'shop@1.2.0', did: 'visitor-2', started: secondsAgo(90) });
    const initBody = sessionEnvelope(init);
    // The browser's update races the server's init and wins.
    const early = sdkUpdate(init, { errors: 1, timestamp: secondsAgo(1) });
    assert.equal((await postSession(run, early)).status, 200);
    assert.equal(run.inbox.sessionCount, 1);
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), {}, 'no init yet: it does not count');

    assert.equal((await post(run.url, initBody)).status, 200);
    assert.equal(run.inbox.sessionCount, 1, 'one session, not two');
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), { 'shop@1.2.0/errored': 1 });
    // It counts at the init's start (90 s ago), not the update's: outside a window of the last minute.
    const lastMinute = await readSessions(run, 'field=sum(session)&statsPeriod=1m&interval=1m');
    assert.equal(lastMinute.groups[0]?.totals['sum(session)'], 0);
  });

  it('never counts a session whose init does not arrive', async () => {
    const run = await start();
    const session = sdkSession({ release: 'shop@1.2.0' });
    assert.equal((await postSession(run, sdkUpdate(session, { status: 'crashed' }))).status, 200);
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), {});
  });

  it("takes Relay's statuses as sent by hand: errored, unhandled and abnormal", async () => {
    const run = await start();
    const items = ['errored', 'unhandled', 'abnormal', 'exited', 'ok'].map((status) => sessionItem(validSession({ status })));
    const response = await post(run.url, `{}\n${items.join('\n')}\n`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), {
      'shop@1.0.0/healthy': 2,
      'shop@1.0.0/errored': 2,
      'shop@1.0.0/abnormal': 1,
    });
  });

  it('counts the SDK\'s session aggregates by status', async () => {
    const run = await start();
    const started = new Date(Date.now() - 5000).toISOString();
    const aggregates = {
      aggregates: [
        { started, exited: 3, errored: 2, crashed: 1 },
        { started, did: 'visitor-3', exited: 1 },
      ],
      attrs: { release: 'shop@1.1.0', environment: 'test' },
    };
    assert.equal((await postSession(run, aggregates)).status, 200);
    assert.deepEqual(byReleaseAndStatus(await readSessions(run, BY_STATUS)), {
      'shop@1.1.0/healthy': 4,
      'shop@1.1.0/errored': 2,
      'shop@1.1.0/crashed': 1,
    });
  });

  it('stores the events and the sessions of one envelope together, and answers the event id', async () => {
    const run = await start();
    const event = errorEvent('with a session', { release: 'shop@1.2.0' });
    const response = await post(run.url, envelope([event], {}, `\n${sessionItem(validSession())}\n`));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: event.event_id });
    assert.equal((await listEvents(run)).length, 1);
    assert.equal(run.inbox.sessionCount, 1);
  });

  it('refuses a session whose key is not the project\'s, storing nothing', async () => {
    const run = await start();
    const response = await postSession(run, sdkSession({ release: 'shop@1.2.0' }), SHOP, { key: HOME.publicKey });
    assert.equal(response.status, 403);
    assert.equal(run.inbox.sessionCount, 0);
  });

  const malformed: [string, string, RegExp][] = [
    ['not JSON', '{"type":"session"}\n{not json', /item 3 \(session\) is not a JSON object/],
    ['no started', sessionItem(validSession({ started: undefined })), /has no "started"/],
    ['an unreadable started', sessionItem(validSession({ started: 'yesterday-ish' })), /invalid "started"/],
    ['an unreadable timestamp', sessionItem(validSession({ timestamp: true })), /invalid "timestamp"/],
    ['no attrs', sessionItem(validSession({ attrs: undefined })), /has no "attrs" object/],
    ['no release', sessionItem(validSession({ attrs: { environment: 'test' } })), /has no "attrs.release"/],
    ['a reserved release', sessionItem(validSession({ attrs: { release: 'latest' } })), /a name Sentry reserves/],
    ['a release with a slash', sessionItem(validSession({ attrs: { release: 'shop/1.0' } })), /with a slash/],
    ['an unknown status', sessionItem(validSession({ status: 'fine' })), /status "fine"; a session's status is one of ok, exited, errored/],
    ['negative errors', sessionItem(validSession({ errors: -1 })), /invalid "errors"/],
    ['errors as a string', sessionItem(validSession({ errors: '1' })), /invalid "errors"/],
    ['a sid that is no UUID', sessionItem(validSession({ sid: 'a' })), /invalid "sid"/],
    ['an init that is no boolean', sessionItem(validSession({ init: 'yes' })), /"init" that is not a boolean/],
    ['a did that is no string', sessionItem(validSession({ did: 42 })), /"did" that is not a string/],
    [
      'aggregates that are no array',
      `{"type":"sessions"}\n${JSON.stringify({ aggregates: {}, attrs: { release: 'shop@1.0.0' } })}`,
      /item 3 \(sessions\) has an "aggregates" that is not an array/,
    ],
    [
      'a bucket without started',
      `{"type":"sessions"}\n${JSON.stringify({ aggregates: [{ exited: 1 }], attrs: { release: 'shop@1.0.0' } })}`,
      /bucket 1, has no "started"/,
    ],
    [
      'a fractional count',
      `{"type":"sessions"}\n${JSON.stringify({ aggregates: [{ started: new Date().toISOString(), crashed: 1.5 }], attrs: { release: 'shop@1.0.0' } })}`,
      /invalid "crashed"/,
    ],
  ];
  for (const [name, item, reason] of malformed) {
    it(`refuses a session item with ${name} with 400 and the reason, storing nothing of the request`, async () => {
      const run = await start();
      // A valid event and a valid session before the bad item: the request is refused whole.
      const body = envelope([errorEvent(`before ${name}`)], {}, `\n${sessionItem(validSession())}\n${item}\n`);
      const response = await post(run.url, body);
      assert.equal(response.status, 400);
      assert.match(await detail(response), reason);
      await assertNothingStored(run);
      assert.equal(run.inbox.sessionCount, 0);
    });
  }

  it('answers 413 for more than 100 session items in an envelope, or 100 buckets in one', async () => {
    const run = await start();
    const many = Array.from({ length: 101 }, () => sessionItem(validSession()));
    const tooMany = await post(run.url, `{}\n${many.join('\n')}\n`);
    assert.equal(tooMany.status, 413);
    assert.match(await detail(tooMany), /more than 100 session items/);
    const buckets = Array.from({ length: 101 }, () => ({ started: new Date().toISOString(), exited: 1 }));
    const tooBig = await postSession(run, { aggregates: buckets, attrs: { release: 'shop@1.0.0' } });
    assert.equal(tooBig.status, 413);
    assert.match(await detail(tooBig), /101 buckets; the limit is 100/);
    assert.equal(run.inbox.sessionCount, 0);
  });
});

describe('rate limit of sessions', () => {
  it('gives session items a window of their own, answered with the session category', async () => {
    const run = await start({ rateLimit: { events: 2, windowSeconds: 60 } });
    assert.equal((await postSession(run, sdkSession({ release: 'shop@1.2.0' }))).status, 200);
    assert.equal((await postSession(run, sdkSession({ release: 'shop@1.2.0' }))).status, 200);
    const refused = await postSession(run, sdkSession({ release: 'shop@1.2.0' }));
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.equal(refused.headers.get('x-sentry-rate-limits'), `${retryAfter}:session:project`);
    assert.equal(run.inbox.sessionCount, 2);
    // Events still have their own window; another project's sessions are not limited.
    assert.equal((await post(run.url, envelope([errorEvent('still')]))).status, 200);
    assert.equal((await postSession(run, sdkSession({ release: 'home@1.0.0' }), HOME)).status, 200);
  });

  it("makes the SDK's own transport hold back sessions, and only sessions, after a 429", async () => {
    const run = await start({ rateLimit: { events: 1, windowSeconds: 60 } });
    const dsn = makeDsn(`http://${SHOP.publicKey}@${new URL(run.url).host}/${SHOP.id}`);
    assert.ok(dsn);
    const dropped: string[] = [];
    let requests = 0;
    const transport = createTransport({ recordDroppedEvent: (reason, category) => void dropped.push(`${reason}:${category}`) }, async ({ body }) => {
      requests += 1;
      const response = await fetch(getEnvelopeEndpointWithUrlEncodedAuth(dsn), { method: 'POST', body });
      return {
        statusCode: response.status,
        headers: { 'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'), 'retry-after': response.headers.get('retry-after') },
      };
    });
    const send = (envelope: Envelope) => transport.send(envelope);
    const session = () => createSessionEnvelope(sdkSession({ release: 'shop@1.2.0' }), dsn);
    assert.equal((await send(session())).statusCode, 200);
    assert.equal((await send(session())).statusCode, 429);
    // The SDK read the inbox's answer as "sessions, not events": the next session never leaves it.
    await send(session());
    assert.equal(requests, 2);
    assert.deepEqual(dropped, ['ratelimit_backoff:session']);
    assert.equal((await send(createEventEnvelope(errorEvent('an error still goes'), dsn))).statusCode, 200);
    assert.equal(requests, 3);
    assert.equal(run.inbox.sessionCount, 1);
    assert.equal((await listEvents(run)).length, 1);
  });
});
