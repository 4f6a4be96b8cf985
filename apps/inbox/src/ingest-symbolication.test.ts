/**
 * Ingest with symbolication (ingest.ts, symbolicate/): what is stored, grouped and reopened is the
 * resolved event; a map that cannot be used never costs the event. Real webpack builds, debug IDs
 * from the real sentry-cli, a real store on disk; and the whole way over HTTP: maps uploaded with
 * sentry-cli, the event posted as the SDK posts it, read back through the read API.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventCulprit } from './event.ts';
import { groupIdOf, groupingKey } from './grouping.ts';
import { type IngestContext, ingest } from './ingest.ts';
import { type JsonObject, asArray, asObject } from './json.ts';
import { EventStore, type StoredEvent } from './store.ts';
import { createSymbolicator } from './symbolicate/symbolicator.ts';
import { type Build, type BuiltFile, SOURCES, THROW_LINE, buildFixture, lookupOf, throwingEvent, uploadBuild } from './symbolicate/testing.ts';
import { HOME, type Running, SHOP, cleanUp, envelope, eventsUrl, getJson, newId, post, start, tempDir } from './testing.ts';

function framesOf(event: JsonObject | undefined): readonly unknown[] | undefined {
  const exception = asObject(asArray(asObject(event?.exception)?.values)?.[0]);
  return asArray(asObject(exception?.stacktrace)?.frames);
}

function topFrame(record: StoredEvent | undefined): JsonObject | undefined {
  return framesOf(record?.event)?.at(-1) as JsonObject | undefined;
}

function only(build: Build): BuiltFile {
  const [file] = build.files;
  if (!file) throw new Error('the build wrote no file');
  return file;
}

describe('ingest with symbolication', () => {
  let v1: Build;
  let v2: Build;
  const stores: EventStore[] = [];

  before(async () => {
    v1 = await buildFixture();
    // The same app with one more function: other chunk name, other debug ID, other minified positions.
    v2 = await buildFixture('\nexport function total(items) {\n  return items.length;\n}\n');
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await cleanUp();
  });

  async function openStore(dir?: string): Promise<EventStore> {
    const store = await EventStore.open(dir ?? (await tempDir()));
    stores.push(store);
    return store;
  }

  async function send(context: IngestContext, event: JsonObject): Promise<StoredEvent | undefined> {
    const eventId = newId();
    const answer = await ingest(
      {
        endpoint: 'envelope',
        projectId: String(SHOP.id),
        queryKey: SHOP.publicKey,
        sentryAuthHeader: undefined,
        authorizationHeader: undefined,
        body: Buffer.from(envelope([{ ...event, event_id: eventId }])),
      },
      context,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return context.store.get(SHOP.id, eventId);
  }

  it('stores the resolved event, on disk too, and attributes it to the throwing source line', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const symbolicate = createSymbolicator(lookupOf(v1.files, ['shop']));
    const stored = await send({ store, rateLimiter: undefined, symbolicate }, throwingEvent(only(v1)));
    assert.equal(topFrame(stored)?.filename, 'src/price.js');
    assert.equal(topFrame(stored)?.lineno, THROW_LINE);
    assert.match(eventCulprit(stored?.event ?? {}), /^src\/price\.js in /);
    await store.close();
    const reopened = await openStore(dir);
    const again = reopened.get(SHOP.id, stored?.eventId ?? '');
    assert.deepEqual(again?.event, stored?.event);
    assert.ok(asObject(asArray(asObject(again?.event.exception)?.values)?.[0])?.raw_stacktrace);
  });

  it('keeps one issue across a rebuild that changes chunk names and minified code', async () => {
    const store = await openStore();
    const symbolicate = createSymbolicator(lookupOf([...v1.files, ...v2.files], ['shop']));
    const before = throwingEvent(only(v1));
    const afterRebuild = throwingEvent(only(v2));
    assert.notEqual(only(v1).name, only(v2).name);
    assert.notEqual(only(v1).debugId, only(v2).debugId);
    const first = await send({ store, rateLimiter: undefined, symbolicate }, before);
    const second = await send({ store, rateLimiter: undefined, symbolicate }, afterRebuild);
    assert.ok(first && second);
    assert.equal(groupIdOf(first), groupIdOf(second));
    // Unresolved, the minifier named the throwing function differently in each build: two issues.
    assert.notDeepEqual(groupingKey(before), groupingKey(afterRebuild));
    assert.deepEqual(topFrame(first)?.filename, topFrame(second)?.filename);
  });

  it('stores the event as sent, with the reason, when its map is broken', async () => {
    const store = await openStore();
    const file = only(v1);
    const symbolicate = createSymbolicator(lookupOf([{ ...file, map: '{"version":3,"mappings":' }], ['shop']));
    const event = throwingEvent(file);
    const stored = await send({ store, rateLimiter: undefined, symbolicate }, event);
    assert.deepEqual(framesOf(stored?.event), framesOf(event));
    assert.deepEqual(
      (asArray(stored?.event.errors) as JsonObject[]).map((e) => e.type),
      ['js_invalid_source'],
    );
  });

  it('stores the event as sent when symbolication itself fails', async () => {
    const store = await openStore();
    const failing = (): JsonObject => {
      throw new Error('resolver bug');
    };
    const event = throwingEvent(only(v1));
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const stored = await send({ store, rateLimiter: undefined, symbolicate: failing }, event);
      assert.deepEqual({ ...stored?.event, event_id: undefined }, { ...event, event_id: undefined });
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 1);
  });
});

describe('symbolication over HTTP', () => {
  let build: Build;
  before(async () => {
    build = await buildFixture();
  });
  after(cleanUp);

  interface FrameView {
    filename: string | null;
    absPath: string | null;
    function: string | null;
    lineNo: number | null;
    inApp: boolean;
    context: [number, string][];
    data: Record<string, unknown> | null;
  }
  interface ExceptionView {
    stacktrace: { frames: FrameView[] };
    rawStacktrace: { frames: FrameView[] } | null;
  }

  async function readBack(run: Running, slug: string, eventId: unknown): Promise<{ exception: ExceptionView; errors: { type: string }[] }> {
    const { status, body } = await getJson(`${eventsUrl(run, slug)}${String(eventId)}/`);
    assert.equal(status, 200);
    const detail = body as { entries: { type: string; data: { values: ExceptionView[] } }[]; errors: { type: string }[] };
    const exception = detail.entries.find((entry) => entry.type === 'exception')?.data.values.at(-1);
    if (!exception) throw new Error('no exception entry');
    return { exception, errors: detail.errors };
  }

  it("resolves an event's frames with the maps sentry-cli uploaded to its project, and keeps the others raw", async () => {
    const run = await start();
    await uploadBuild(run.url, build, ['shop'], 'shop@2.0.0');
    const event = { ...throwingEvent(only(build)), event_id: newId() };
    assert.equal((await post(run.url, envelope([event]))).status, 200);
    const { exception } = await readBack(run, 'shop', event.event_id);
    const top = exception.stacktrace.frames.at(-1);
    const line = (SOURCES['src/price.js'] ?? '').split('\n')[THROW_LINE - 1] ?? '';
    assert.deepEqual(
      [top?.filename, top?.absPath, top?.function, top?.lineNo, top?.inApp],
      ['src/price.js', 'webpack:///./src/price.js', 'renderPrice', THROW_LINE, true],
    );
    assert.deepEqual(top?.context.find(([n]) => n === THROW_LINE), [THROW_LINE, line]);
    assert.equal(top?.data?.release, 'shop@2.0.0');
    assert.deepEqual(
      exception.rawStacktrace?.frames.map((f) => f.filename),
      exception.stacktrace.frames.map(() => `app:///_next/static/chunks/${only(build).name}`),
    );

    // Home's project was given no maps: its copy of the event stays minified and says why.
    const home = { ...event, event_id: newId() };
    assert.equal((await post(run.url, envelope([home]), { project: HOME.id, key: HOME.publicKey })).status, 200);
    const raw = await readBack(run, 'home', home.event_id);
    assert.equal(raw.exception.rawStacktrace, null);
    assert.match(raw.exception.stacktrace.frames.at(-1)?.filename ?? '', /^app:\/\/\/_next\/static\/chunks\/main\./);
    assert.deepEqual(raw.errors.map((e) => e.type), ['js_no_source']);
  });
});
