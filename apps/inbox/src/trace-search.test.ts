/**
 * `trace:<trace_id>` in `query=` over real HTTP: the events list, the issues and the live stream
 * narrowed to one page view's trace, as the zones' "who got told" panel asks for it.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import {
  CHECKOUT,
  type OpenStream,
  cleanUp,
  envelope,
  errorEvent,
  eventsUrl,
  getJson,
  issuesUrl,
  listEvents,
  listIssues,
  newId,
  openStream,
  post,
  start,
} from './testing.ts';

const streams: OpenStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await cleanUp();
});

/** An error of the page view whose trace is `traceId` (span ids are 16 hex digits). */
function inTrace(value: string, traceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return errorEvent(value, { contexts: { trace: { trace_id: traceId, span_id: newId().slice(0, 16) } }, ...extra });
}

function query(text: string): string {
  return `?query=${encodeURIComponent(text)}`;
}

describe('trace: search', () => {
  it("lists only the trace's events and issues, in any case of the id, and the rest with !trace:", async () => {
    const run = await start();
    const mine = newId();
    const other = newId();
    const first = inTrace('cart failed', mine);
    const second = inTrace('price failed', mine);
    await post(run.url, envelope([first, inTrace('cart failed', other), second, errorEvent('no trace at all')]));

    const events = await listEvents(run, 'shop', query(`trace:${mine.toUpperCase()}`));
    assert.deepEqual(
      events.map((event) => event.eventID),
      [second.event_id, first.event_id],
    );
    const issues = await listIssues(run, 'shop', query(`trace:${mine}`));
    assert.deepEqual(issues.map((issue) => [issue.title, issue.count]).sort(), [
      ['TypeError: cart failed', '1'],
      ['TypeError: price failed', '1'],
    ]);

    assert.equal((await listEvents(run, 'shop', query(`!trace:${mine}`))).length, 2);
    assert.deepEqual(
      (await listEvents(run, 'shop', query('trace:""'))).map((event) => event.title),
      ['TypeError: no trace at all'],
    );
    assert.equal((await listEvents(run, 'shop', query('has:trace'))).length, 3);
    assert.equal((await listEvents(run, 'shop', query(`trace:${mine} price`))).length, 1, 'ANDed with other terms');
  });

  it("is the event's trace, not a tag of that name", async () => {
    const run = await start();
    const real = newId();
    const forged = newId();
    await post(run.url, envelope([inTrace('tagged', real, { tags: { trace: forged } })]));
    assert.equal((await listEvents(run, 'shop', query(`trace:${forged}`))).length, 0);
    assert.equal((await listEvents(run, 'shop', query(`trace:${real}`))).length, 1);
  });

  it("narrows the live stream to the trace's events, project by project", async () => {
    const run = await start();
    const mine = newId();
    const stream = await openStream(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/${query(`trace:${mine}`)}`);
    streams.push(stream);
    await post(run.url, envelope([inTrace('another page view', newId()), errorEvent('no trace')]));
    // The same trace in another project is that project's stream's, not this one's.
    await post(run.url, envelope([inTrace('checkout of mine', mine)]), { project: CHECKOUT.id, key: CHECKOUT.publicKey });
    const told = inTrace('shop of mine', mine);
    await post(run.url, envelope([told]));
    const message = await stream.next();
    assert.equal(message.id, told.event_id);
    assert.equal((message.data as { title: string }).title, 'TypeError: shop of mine');
  });

  it('refuses what is not a trace id with 400 and the reason', async () => {
    const run = await start();
    for (const bad of ['trace:abc', `trace:${newId().slice(0, 16)}`, `trace:${'g'.repeat(32)}`, `trace:${newId()}*`]) {
      for (const url of [eventsUrl(run, 'shop', query(bad)), issuesUrl(run, 'shop', query(bad))]) {
        const { status, body } = await getJson(url);
        assert.equal(status, 400, url);
        assert.match(String((body as { detail: string }).detail), /give 32 hex digits/);
      }
      const stream = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/stream/${query(bad)}`);
      assert.equal(stream.status, 400);
      await stream.body?.cancel();
    }
  });
});
