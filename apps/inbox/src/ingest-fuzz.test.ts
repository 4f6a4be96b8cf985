/**
 * Fuzzing ingest over real HTTP: 1,200 malformed or hostile requests, generated from a fixed seed
 * (FUZZ_SEED=<n> to try another), sent 8 at a time. Each case knows what it must get: a refusal
 * (4xx, storing nothing) or, for hostile but well-formed events (markup in messages, broken
 * UTF-8, odd ids), a 200 and exactly its events stored. Afterwards the inbox still answers
 * /healthz, a valid event still goes in and reads back, and the database holds exactly the
 * events of the accepted cases.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { INBOX_ORG } from '@repo/topology';
import { HOME, SHOP, cleanUp, envelope, errorEvent, getJson, newId, start } from './testing.ts';

afterEach(cleanUp);

const CASES = 1200;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly kind: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  readonly query: string;
  readonly project: number;
  /** Statuses it may get. */
  readonly expect: readonly number[];
  /** Event ids it stores when accepted. */
  readonly stores: readonly string[];
}

const REFUSED = [400, 401, 403, 413, 415];
const HOSTILE_TEXT = [
  '<script>window.__xss=1</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '<svg/onload=alert(1)>',
  '{{constructor.constructor("alert(1)")()}}',
  '\u202e\u0000\u0007\ud83d\ude00',
  'a'.repeat(5000),
];

function makeCases(random: () => number): Case[] {
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  const key = `?sentry_key=${SHOP.publicKey}&sentry_version=7`;
  const base = { headers: {}, query: key, project: SHOP.id, stores: [] as string[] };
  const withLengths = (events: readonly object[]): Buffer =>
    Buffer.from(
      `{}\n${events
        .map((e) => {
          const payload = JSON.stringify(e);
          return `{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}`;
        })
        .join('\n')}`,
    );

  const makers: (() => Case)[] = [
    // Random bytes, sometimes behind a valid-looking header line.
    () => ({ ...base, kind: 'random bytes', body: bytes(1 + int(2048)), expect: REFUSED }),
    () => ({
      ...base,
      kind: 'header then random bytes',
      body: Buffer.concat([Buffer.from('{}\n{"type":"event"}\n'), bytes(1 + int(512))]),
      expect: REFUSED,
    }),
    // Truncated strictly inside the last item's payload.
    () => {
      const body = withLengths([errorEvent('truncated'), errorEvent('truncated')]);
      const lastPayload = body.lastIndexOf('\n') + 1;
      const cut = lastPayload + 1 + int(body.length - lastPayload - 2);
      return { ...base, kind: 'truncated', body: body.subarray(0, cut), expect: REFUSED };
    },
    // Lengths that lie.
    () => {
      const payload = JSON.stringify(errorEvent('length'));
      const size = Buffer.byteLength(payload);
      const length = pick([size - 1 - int(10), size + 2 + int(10), 1e15, -1, 1.5, '"12"', 'null, "length": []', 2 ** 53]);
      return { ...base, kind: 'wrong length', body: Buffer.from(`{}\n{"type":"event","length":${length}}\n${payload}`), expect: REFUSED };
    },
    // JSON that is not quite.
    () => {
      const payload = JSON.stringify(errorEvent('bad json'));
      const broken = pick([
        payload.slice(0, -1 - int(20)),
        `${payload.slice(0, -1)},}`,
        payload.replace('"level":"error"', '"level":NaN'),
        `{${payload}`,
        payload.replace(/"/, "'"),
        '[1,2,3]',
        'null',
        '"a string"',
      ]);
      return { ...base, kind: 'bad json', body: Buffer.from(`{}\n{"type":"event"}\n${broken}`), expect: REFUSED };
    },
    // Nested junk: deep enough to hurt anything recursive.
    () => {
      const depth = 65 + int(200_000);
      const nested = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      return { ...base, kind: 'deep nesting', body: Buffer.from(`{}\n{"type":"event"}\n${nested}`), expect: [400, 413] };
    },
    // Headers that are not objects or have no type.
    () => ({
      ...base,
      kind: 'bad item header',
      body: Buffer.from(`{}\n${pick(['{"length":2}', '[]', '{"type":7}', '{"type":null}', 'nope'])}\n{}`),
      expect: REFUSED,
    }),
    () => ({
      ...base,
      kind: 'bad envelope header',
      body: Buffer.from(`${pick(['[]', '', 'null', '{"dsn":5}', '{"dsn":"not a url"}', '{"dsn":"http://localhost:9000/2"}'])}\n{"type":"event"}\n{}`),
      expect: REFUSED,
    }),
    () => ({
      ...base,
      kind: 'bad event id',
      body: Buffer.from(envelope([{ ...errorEvent('id'), event_id: pick(['x', 12, '', '0'.repeat(31), {}, '💥'.repeat(16)]) }])),
      expect: REFUSED,
    }),
    // Keys that are missing, wrong or disagree.
    () => ({ ...base, kind: 'no key', query: '', body: Buffer.from(envelope([errorEvent('no key')])), expect: [401] }),
    () => ({
      ...base,
      kind: 'mismatched keys',
      body: Buffer.from(envelope([errorEvent('mismatch')], { dsn: `http://${HOME.publicKey}@localhost:9000/${HOME.id}` })),
      expect: [403],
    }),
    () => ({
      ...base,
      kind: 'wrong key',
      query: `?sentry_key=${pick([HOME.publicKey, 'x', '%00', newId()])}`,
      body: Buffer.from(envelope([errorEvent('wrong')])),
      expect: [403],
    }),
    () => ({
      ...base,
      kind: 'garbage auth header',
      query: '',
      headers: { 'x-sentry-auth': pick(['Sentry', 'Sentry sentry_key', 'Basic abc', `Sentry sentry_key=${HOME.publicKey}`, '\u00ff\u00fe']) },
      body: Buffer.from(envelope([errorEvent('auth')])),
      expect: [401, 403],
    }),
    () => ({ ...base, kind: 'unknown project', project: 900 + int(99), body: Buffer.from(envelope([errorEvent('p')])), expect: [403] }),
    // Encodings that lie.
    () => ({
      ...base,
      kind: 'bad content-encoding',
      headers: { 'content-encoding': pick(['gzip', 'deflate', 'br', 'gzip, br', 'zstd', 'x-gzip']) },
      body: Buffer.concat([bytes(int(64)), Buffer.from(envelope([errorEvent('enc')]))]),
      expect: [400, 415],
    }),
    () => ({
      ...base,
      kind: 'truncated gzip',
      headers: { 'content-encoding': 'gzip' },
      body: (() => {
        const gz = gzipSync(envelope([errorEvent('gz')]));
        return gz.subarray(0, 1 + int(gz.length - 9));
      })(),
      expect: [400],
    }),
    // Hostile but well formed: stored, shown escaped.
    () => {
      const event = errorEvent(pick(HOSTILE_TEXT), {
        message: pick(HOSTILE_TEXT),
        release: pick(HOSTILE_TEXT),
        tags: { [pick(HOSTILE_TEXT).slice(0, 32)]: pick(HOSTILE_TEXT), zone: pick(HOSTILE_TEXT), __proto__: 'x' },
        request: { url: pick(HOSTILE_TEXT) },
        breadcrumbs: [{ message: pick(HOSTILE_TEXT), data: { html: pick(HOSTILE_TEXT) } }],
      });
      return { ...base, kind: 'hostile text', body: Buffer.from(envelope([event])), expect: [200], stores: [String(event.event_id)] };
    },
    () => {
      // Broken UTF-8 inside a string: read as U+FFFD, stored.
      const id = newId();
      const body = Buffer.concat([
        Buffer.from(`{}\n{"type":"event"}\n{"event_id":"${id}","message":"bad `),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]);
      return { ...base, kind: 'broken utf-8', body, expect: [200], stores: [id] };
    },
    () => {
      // Lone surrogates, NUL and odd fields: well formed JSON, stored.
      const id = newId();
      const body = Buffer.from(`{}\n{"type":"event"}\n{"event_id":"${id}","message":"\\ud800 \\u0000 x","exception":7,"tags":[[1,2],["a"]],"fingerprint":{}}`);
      return { ...base, kind: 'odd fields', body, expect: [200], stores: [id] };
    },
    () => {
      // Many items nobody stores, and blank lines.
      const items = Array.from({ length: 1 + int(500) }, () => pick(['{"type":"user_report"}\n{}', '{"type":"client_report"}\n{}', '\n']));
      return { ...base, kind: 'many other items', body: Buffer.from(`{}\n${items.join('\n')}`), expect: [200] };
    },
    () => {
      // A session item, whole or with a field broken: stored as a session or refused, never an event.
      const session: Record<string, unknown> = { sid: newId(), init: true, started: new Date().toISOString(), attrs: { release: 'shop@1.0.0' } };
      const field = pick(['sid', 'init', 'started', 'status', 'errors', 'attrs', 'did', 'none']);
      if (field !== 'none') session[field] = pick([null, 7, 'x', [], {}, -1, true]);
      return { ...base, kind: 'session', body: Buffer.from(`{}\n{"type":"session"}\n${JSON.stringify(session)}`), expect: [200, 400] };
    },
  ];
  return Array.from({ length: CASES }, () => pick(makers)());
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('fuzz', () => {
  it(`survives ${CASES} malformed or hostile requests (seed ${SEED}) and stores only the valid events`, async () => {
    const run = await start();
    const cases = makeCases(generator(SEED));
    const expected = new Set<string>();
    const kinds = new Map<string, number>();
    const failures: string[] = [];
    await pool(cases, 8, async (c) => {
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
      const response = await fetch(`${run.url}/api/${c.project}/envelope/${c.query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...c.headers },
        body: c.body,
      });
      const text = await response.text();
      if (!c.expect.includes(response.status)) {
        failures.push(`${c.kind}: ${response.status} ${text.slice(0, 200)}`);
      }
      if (response.status === 200) for (const id of c.stores) expected.add(id);
      else assert.equal(typeof (JSON.parse(text) as { detail?: unknown }).detail, 'string', c.kind);
    });
    assert.deepEqual(failures, []);
    assert.ok(kinds.size >= 18, `every kind was tried: ${[...kinds.keys()].join(', ')}`);

    // Still alive, still ingesting, still reading back.
    assert.deepEqual((await getJson(`${run.url}/healthz`)).body, { ok: true });
    const valid = errorEvent('after the fuzz');
    const ok = await fetch(`${run.url}/api/${SHOP.id}/envelope/?sentry_key=${SHOP.publicKey}`, {
      method: 'POST',
      body: envelope([valid]),
    });
    assert.equal(ok.status, 200);
    expected.add(String(valid.event_id));
    const read = await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/shop/events/${String(valid.event_id)}/`);
    assert.equal(read.status, 200);
    assert.equal((read.body as { title: string }).title, 'TypeError: after the fuzz');

    // Exactly the accepted events are stored: nothing from a refused request.
    assert.equal(run.inbox.storedCount, expected.size);
    const stored = new Set<string>();
    for (const slug of ['home', 'shop', 'checkout']) {
      let url: string | undefined = `${run.url}/api/0/projects/${INBOX_ORG}/${slug}/events/`;
      while (url) {
        const page = await getJson(url);
        assert.equal(page.status, 200);
        for (const event of page.body as { id: string }[]) stored.add(event.id);
        url = /<([^>]+)>; rel="next"; results="true"/.exec(page.response.headers.get('link') ?? '')?.[1];
      }
    }
    assert.deepEqual(stored, expected);

    // Every page that shows them still renders.
    for (const path of ['/', '/teams/shop']) assert.equal((await fetch(`${run.url}${path}`)).status, 200);
    const issues = (await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/shop/issues/`)).body as { id: string }[];
    for (const issue of issues.slice(0, 20)) {
      assert.equal((await fetch(`${run.url}/issues/shop/${issue.id}/`)).status, 200);
    }
  });
});
