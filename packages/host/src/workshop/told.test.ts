import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  eventsUrl,
  initialTold,
  runtimeOf,
  streamUrl,
  toldOf,
  toldReducer,
  toldStatus,
  topFrameOf,
  withEntry,
  type ToldEntry,
} from './told';

const INBOX = 'http://localhost:9000';
const TRACE = '0123456789abcdef0123456789abcdef';

/** An event as the inbox's live stream sends it (the events list's shape, plus its issue). */
function summary(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'e1',
    eventID: 'e1',
    title: "BrokenComponentError: shop's add-to-cart click handler failed",
    platform: 'javascript',
    release: { version: 'shop@1.0.0' },
    dateReceived: '2026-01-01T00:00:01.000Z',
    tags: [{ key: 'zone', value: 'checkout' }],
    issue: { id: '1' },
    ...fields,
  };
}

function frame(fields: Record<string, unknown>): Record<string, unknown> {
  return { filename: null, absPath: null, function: null, lineNo: null, colNo: null, inApp: false, ...fields };
}

/** An event as the read API gives it in full, with one exception and these frames. */
function full(frames: Record<string, unknown>[], values = 1): Record<string, unknown> {
  const value = { type: 'Error', value: 'x', stacktrace: { frames } };
  return {
    eventID: 'e1',
    entries: [
      { type: 'breadcrumbs', data: { values: [] } },
      { type: 'exception', data: { values: Array.from({ length: values }, (_, i) => (i === values - 1 ? value : { type: 'Cause', value: 'y', stacktrace: { frames: [frame({ filename: 'cause.ts', lineNo: 1, inApp: true })] } })) } },
    ],
  };
}

describe('an event of the page view as a panel entry', () => {
  it('takes the project from the stream it came on, the release and title from the event, and links its page', () => {
    assert.deepEqual(toldOf(summary(), 'shop', INBOX), {
      eventId: 'e1',
      project: 'shop',
      runtime: 'browser',
      release: 'shop@1.0.0',
      title: "BrokenComponentError: shop's add-to-cart click handler failed",
      received: '2026-01-01T00:00:01.000Z',
      url: `${INBOX}/events/shop/e1`,
    });
  });

  it("says server for Node's events and browser for the browser SDK's", () => {
    assert.equal(toldOf(summary({ platform: 'node' }), 'checkout', INBOX)?.runtime, 'server');
    assert.equal(toldOf(summary({ platform: 'javascript' }), 'checkout', INBOX)?.runtime, 'browser');
    assert.equal(runtimeOf(undefined), 'browser');
  });

  it('keeps an event without a release, and refuses what is not an event', () => {
    assert.equal(toldOf(summary({ release: null }), 'home', INBOX)?.release, null);
    assert.equal(toldOf({ title: 'no id' }, 'home', INBOX), null);
    assert.equal(toldOf('text', 'home', INBOX), null);
    assert.equal(toldOf(null, 'home', INBOX), null);
  });
});

describe("an event's crash frame", () => {
  it('is the last in-app frame of the main exception, as file:line in function', () => {
    const event = full([
      frame({ filename: 'node_modules/react-dom/cjs/react-dom.js', lineNo: 900, function: 'renderWithHooks' }),
      frame({ filename: 'src/exposed/BrokenComponent.tsx', lineNo: 31, function: 'BrokenComponent', inApp: true }),
      frame({ filename: 'node_modules/react-dom/cjs/react-dom.js', lineNo: 12, function: 'throwIt' }),
    ]);
    assert.equal(topFrameOf(event), 'src/exposed/BrokenComponent.tsx:31 in BrokenComponent');
  });

  it('reads the main exception, not its cause', () => {
    assert.equal(topFrameOf(full([frame({ filename: 'main.ts', lineNo: 5, function: 'main', inApp: true })], 2)), 'main.ts:5 in main');
  });

  it('falls back to the last frame, the absolute path, and leaves out what is unknown', () => {
    assert.equal(topFrameOf(full([frame({ absPath: 'app:///chunk.js', lineNo: 2 })])), 'app:///chunk.js:2');
    assert.equal(topFrameOf(full([frame({ filename: 'a.js', function: 'f' })])), 'a.js in f');
  });

  it('is null for an event without a stack', () => {
    assert.equal(topFrameOf({ entries: [{ type: 'message', data: { formatted: 'hi' } }] }), null);
    assert.equal(topFrameOf(full([])), null);
    assert.equal(topFrameOf(undefined), null);
  });
});

describe("the inbox's addresses for one trace", () => {
  it("asks each project's stream and list with Sentry's trace search", () => {
    assert.equal(streamUrl(INBOX, 'shop', TRACE), `${INBOX}/api/0/projects/local/shop/events/stream/?query=trace%3A${TRACE}`);
    assert.equal(eventsUrl(INBOX, 'home', TRACE), `${INBOX}/api/0/projects/local/home/events/?query=trace%3A${TRACE}`);
  });
});

describe("the panel's state", () => {
  const entry = (eventId: string, received: string): ToldEntry => ({
    eventId,
    project: 'shop',
    runtime: 'browser',
    release: null,
    title: eventId,
    received,
    url: `${INBOX}/events/shop/${eventId}`,
  });

  it('lists each event once, in the order the inbox received it, whether it came from the list or the stream', () => {
    let entries = withEntry([], entry('b', '2026-01-01T00:00:02Z'));
    entries = withEntry(entries, entry('a', '2026-01-01T00:00:01Z'));
    entries = withEntry(entries, entry('b', '2026-01-01T00:00:02Z'));
    assert.deepEqual(
      entries.map((e) => e.eventId),
      ['a', 'b'],
    );
  });

  it('connects until every project opens, then listens; not reachable once one fails or the time is up', () => {
    let state = initialTold(TRACE);
    assert.equal(toldStatus(state), 'connecting');
    state = toldReducer(state, { type: 'connection', project: 'home', connection: 'open' });
    state = toldReducer(state, { type: 'connection', project: 'shop', connection: 'open' });
    assert.equal(toldStatus(state), 'connecting');
    assert.equal(toldStatus(toldReducer(state, { type: 'timeout' })), 'unreachable');
    assert.equal(toldStatus(toldReducer(state, { type: 'connection', project: 'checkout', connection: 'failed' })), 'unreachable');
    state = toldReducer(state, { type: 'connection', project: 'checkout', connection: 'open' });
    assert.equal(toldStatus(state), 'listening');
    // The time running out after every stream opened changes nothing.
    assert.equal(toldStatus(toldReducer(state, { type: 'timeout' })), 'listening');
  });

  it('fills in a frame, and starts empty again for a new page view', () => {
    let state = toldReducer(initialTold(TRACE), { type: 'event', entry: entry('a', '1') });
    state = toldReducer(state, { type: 'frame', project: 'shop', eventId: 'a', frame: 'a.ts:1 in f' });
    assert.equal(state.entries[0]?.frame, 'a.ts:1 in f');
    state = toldReducer(state, { type: 'reset', traceId: 'f'.repeat(32) });
    assert.deepEqual(state.entries, []);
    assert.equal(state.traceId, 'f'.repeat(32));
  });

  it('says connecting before the browser read the trace, and says so when the page view has none', () => {
    assert.equal(toldStatus(initialTold(undefined)), 'connecting');
    assert.equal(toldStatus(initialTold(null)), 'no-trace');
  });
});
