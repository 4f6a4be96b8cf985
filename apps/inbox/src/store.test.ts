/**
 * The SQLite store: durability settings, restarts, one process per directory, and an older
 * inbox's database migrated in place.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SESSIONS_SCHEMA } from './sessions/store.ts';
import { readTrace } from './spans/testing.ts';
import { DATABASE_FILE, EventStore, type StoredEvent } from './store.ts';
import { SHOP, cleanUp, envelope, errorEvent, eventsUrl, getJson, listEvents, newId, post, start, tempDir } from './testing.ts';

afterEach(cleanUp);

function record(value: string, eventId = newId()): StoredEvent {
  return {
    projectId: SHOP.id,
    projectSlug: 'shop',
    eventId,
    publicKey: SHOP.publicKey,
    keySource: 'query',
    envelopeDsn: null,
    received: new Date().toISOString(),
    event: errorEvent(value, { event_id: eventId }),
  };
}

describe('store', () => {
  it('runs in WAL mode with synchronous=FULL, locked to one process', async () => {
    const store = await EventStore.open(await tempDir());
    try {
      assert.deepEqual(store.settings(), { journalMode: 'wal', synchronous: 2, lockingMode: 'exclusive' });
    } finally {
      await store.close();
    }
  });

  it('refuses to open a directory another store holds', async () => {
    const dir = await tempDir();
    const first = await EventStore.open(dir);
    try {
      await assert.rejects(EventStore.open(dir), /in use by another process/);
    } finally {
      await first.close();
    }
    // Free again once closed.
    await (await EventStore.open(dir)).close();
  });

  it('stores concurrent appends in order, each once, and tells its listeners after the commit', async () => {
    const store = await EventStore.open(await tempDir());
    try {
      const seen: string[] = [];
      store.onStored((r) => seen.push(r.eventId));
      const a = record('a');
      const b = record('b');
      const results = await Promise.all([store.append([a, b]), store.append([b]), store.append([record('c')])]);
      assert.deepEqual(
        results.map((r) => r.length),
        [2, 0, 1],
      );
      assert.equal(store.count(), 3);
      assert.deepEqual(seen.slice(0, 2), [a.eventId, b.eventId]);
      assert.deepEqual(
        store.events(SHOP.id).map((r) => r.eventId),
        seen,
      );
    } finally {
      await store.close();
    }
  });

  it('keeps the events across a restart, still deduplicated and writable', async () => {
    const first = await start();
    const events = [errorEvent('before restart 1'), errorEvent('before restart 2')];
    for (const event of events) await post(first.url, envelope([event]));
    await first.inbox.close();

    const second = await start({ dataDir: first.dir });
    assert.deepEqual(
      (await listEvents(second)).map((e) => e.id),
      events.map((e) => e.event_id).reverse(),
    );
    await post(second.url, envelope([events[0] ?? {}]));
    await post(second.url, envelope([errorEvent('after restart')]));
    assert.equal((await listEvents(second)).length, 3);
  });

  it('stores the JSON text of an event as it was received, and reads the same event back', async () => {
    const dir = await tempDir();
    const eventId = newId();
    const text = `{ "message" : "spaced \\u00e9", "event_id":"${eventId}",  "extra": {"b": 1, "a": [1, 2]} }`;
    const event = JSON.parse(text) as StoredEvent['event'];
    const store = await EventStore.open(dir);
    await store.append([{ ...record('ignored', eventId), event }], [text]);
    await store.append([record('serialised')]);
    await store.close();

    const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const rows = db.prepare('SELECT event_id, payload FROM events ORDER BY seq').all() as { event_id: string; payload: string }[];
    db.close();
    assert.equal(rows[0]?.event_id, eventId);
    assert.equal(rows[0]?.payload, text, 'byte for byte');
    assert.deepEqual(JSON.parse(rows[1]?.payload ?? ''), record('serialised', rows[1]?.event_id).event);

    const reopened = await EventStore.open(dir);
    try {
      assert.deepEqual(reopened.get(SHOP.id, eventId)?.event, event);
    } finally {
      await reopened.close();
    }
  });

  it("migrates an older inbox's database in place: its events gain their trace, spans can be stored", async () => {
    const dir = await tempDir();
    // Schema version 2 as the inbox before traces wrote it.
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(`CREATE TABLE events (
      seq INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, event_id TEXT NOT NULL, project_slug TEXT NOT NULL,
      public_key TEXT NOT NULL, key_source TEXT NOT NULL, envelope_dsn TEXT, received TEXT NOT NULL,
      payload TEXT NOT NULL, UNIQUE (project_id, event_id)) STRICT; ${SESSIONS_SCHEMA}`);
    old.pragma('user_version = 2');
    const traceId = newId();
    const traced = record('traced before', newId());
    const insert = old.prepare(
      `INSERT INTO events (project_id, event_id, project_slug, public_key, key_source, envelope_dsn, received, payload)
       VALUES (?, ?, 'shop', ?, 'query', NULL, ?, ?)`,
    );
    const payload = { ...traced.event, contexts: { trace: { trace_id: traceId.toUpperCase(), span_id: 'ab'.repeat(8) } } };
    insert.run(SHOP.id, traced.eventId, SHOP.publicKey, traced.received, JSON.stringify(payload));
    // Rows the trace columns must survive: a number for an id, and a payload that is not JSON.
    insert.run(SHOP.id, newId(), SHOP.publicKey, traced.received, JSON.stringify({ contexts: { trace: { trace_id: 7 } } }));
    insert.run(SHOP.id, newId(), SHOP.publicKey, traced.received, 'not json');
    old.close();

    const run = await start({ dataDir: dir });
    const roots = await readTrace(run, traceId);
    assert.deepEqual(
      roots.map((root) => [root.event_type, root.event_id]),
      [['error', traced.eventId]],
    );
    const { body } = await getJson(`${eventsUrl(run)}${traced.eventId}/`);
    assert.equal((body as { _inbox: { traceId: string } })._inbox.traceId, traceId);
    assert.equal(run.inbox.warnings.length, 1, 'the payload that is not JSON is skipped, as before');
    await run.inbox.close();

    const reopened = new Database(join(dir, DATABASE_FILE), { readonly: true });
    try {
      assert.equal(reopened.pragma('user_version', { simple: true }), 3);
      const columns = (reopened.pragma('table_xinfo(events)') as { name: string }[]).map((column) => column.name);
      assert.ok(columns.includes('trace_id') && columns.includes('span_id'), columns.join());
      const plan = reopened.prepare('EXPLAIN QUERY PLAN SELECT event_id FROM events WHERE trace_id = ?').all('x') as { detail: string }[];
      assert.match(plan.map((row) => row.detail).join(), /USING INDEX events_by_trace/);
    } finally {
      reopened.close();
    }
  });
});
