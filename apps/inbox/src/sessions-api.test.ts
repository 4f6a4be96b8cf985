/**
 * The release-health read API over real HTTP (routes/sessions-api.ts, sessions/query.ts): Sentry's
 * shape and figures for what a release guard asks, what it refuses, the project details endpoint,
 * the read API's guards, and the console's per-release health (sessions/health.ts).
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import { releaseHealth } from './sessions/health.ts';
import { byReleaseAndStatus, postSession, readSessions, sdkSession, sdkUpdate, sessionsUrl } from './sessions/testing.ts';
import { EventStore } from './store.ts';
import { CHECKOUT, HOME, type Running, SHOP, cleanUp, detail, envelope, errorEvent, getJson, post, requestWithHost, start } from './testing.ts';

afterEach(cleanUp);

const MINUTE = 60_000;
/** A minute boundary ten minutes ago: sessions are placed at known offsets from it. */
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

type Outcome = 'ok' | 'errored' | 'crashed' | 'abnormal';

/** Posts one session of `release` started `offset` ms after BASE, then the update that gives it its outcome. */
async function session(run: Running, release: string, offset: number, outcome: Outcome = 'ok', did?: string, project = SHOP): Promise<void> {
  const made = sdkSession({ release, did, started: (BASE + offset) / 1000, environment: 'production' });
  assert.equal((await postSession(run, made, project)).status, 200);
  if (outcome === 'ok') return;
  const update = outcome === 'errored' ? { errors: 1 } : { status: outcome, errors: 1 };
  assert.equal((await postSession(run, sdkUpdate(made, update), project)).status, 200);
}

const WINDOW = `start=${iso(BASE + 1000)}&end=${iso(BASE + 3 * MINUTE)}&interval=1m`;

describe('sessions API', () => {
  it("answers Sentry's shape: start, end, aligned intervals, groups with by, totals and series", async () => {
    const run = await start();
    await session(run, 'shop@1.0.0', 500); // before the window's start: not counted
    await session(run, 'shop@1.0.0', 5_000);
    await session(run, 'shop@1.0.0', 65_000, 'errored');
    await session(run, 'shop@1.2.0', 130_000, 'crashed');
    await session(run, 'shop@1.2.0', 3 * MINUTE); // at the end: excluded
    const answer = await readSessions(run, `project=${SHOP.id}&field=sum(session)&groupBy=release&groupBy=session.status&${WINDOW}`);
    assert.deepEqual(Object.keys(answer), ['start', 'end', 'intervals', 'groups', 'query']);
    assert.equal(answer.start, iso(BASE + 1000));
    assert.equal(answer.end, iso(BASE + 3 * MINUTE));
    assert.deepEqual(answer.intervals, [iso(BASE), iso(BASE + MINUTE), iso(BASE + 2 * MINUTE)]);
    assert.equal(answer.query, '');
    const groups = new Map(answer.groups.map((group) => [`${String(group.by.release)}/${String(group.by['session.status'])}`, group]));
    // Every status of every release, exclusive, zeros included.
    assert.deepEqual([...groups.keys()].sort(), [
      'shop@1.0.0/abnormal',
      'shop@1.0.0/crashed',
      'shop@1.0.0/errored',
      'shop@1.0.0/healthy',
      'shop@1.2.0/abnormal',
      'shop@1.2.0/crashed',
      'shop@1.2.0/errored',
      'shop@1.2.0/healthy',
    ]);
    assert.deepEqual(groups.get('shop@1.0.0/healthy'), {
      by: { release: 'shop@1.0.0', 'session.status': 'healthy' },
      totals: { 'sum(session)': 1 },
      series: { 'sum(session)': [1, 0, 0] },
    });
    assert.deepEqual(groups.get('shop@1.0.0/errored')?.series, { 'sum(session)': [0, 1, 0] });
    assert.deepEqual(groups.get('shop@1.2.0/crashed')?.series, { 'sum(session)': [0, 0, 1] });
    assert.deepEqual(groups.get('shop@1.2.0/errored')?.totals, { 'sum(session)': 0 }, 'a crashed session is not also errored');
  });

  it('counts exclusive statuses, users once with their worst status, and crash-free rates', async () => {
    const run = await start();
    await session(run, 'shop@1.1.0', 5_000, 'ok', 'ann');
    await session(run, 'shop@1.1.0', 6_000, 'crashed', 'ann');
    await session(run, 'shop@1.1.0', 7_000, 'errored', 'bob');
    await session(run, 'shop@1.1.0', 8_000, 'abnormal', 'cid');
    await session(run, 'shop@1.1.0', 9_000, 'ok', 'dee');
    const byStatus = await readSessions(run, `field=sum(session)&field=count_unique(user)&groupBy=session.status&${WINDOW}`);
    const figures = Object.fromEntries(byStatus.groups.map((group) => [group.by['session.status'], group.totals]));
    assert.deepEqual(figures, {
      healthy: { 'sum(session)': 2, 'count_unique(user)': 1 },
      crashed: { 'sum(session)': 1, 'count_unique(user)': 1 },
      errored: { 'sum(session)': 1, 'count_unique(user)': 1 },
      abnormal: { 'sum(session)': 1, 'count_unique(user)': 1 },
    });
    const rates = await readSessions(
      run,
      `field=crash_free_rate(session)&field=crash_free_rate(user)&field=count_unique(user)&groupBy=release&${WINDOW}`,
    );
    assert.deepEqual(rates.groups, [
      {
        by: { release: 'shop@1.1.0' },
        totals: { 'crash_free_rate(session)': 0.8, 'crash_free_rate(user)': 0.75, 'count_unique(user)': 4 },
        series: { 'crash_free_rate(session)': [0.8, null, null], 'crash_free_rate(user)': [0.75, null, null], 'count_unique(user)': [4, 0, 0] },
      },
    ]);
  });

  it('filters by project, environment and query=release:, and groups by project and environment', async () => {
    const run = await start();
    await session(run, 'shop@1.0.0', 5_000);
    await session(run, 'shop@1.2.0', 6_000, 'errored');
    await session(run, 'home@2.0.0', 7_000, 'ok', undefined, HOME);
    const dev = sdkSession({ release: 'shop@1.2.0', started: (BASE + 8_000) / 1000, environment: 'development' });
    assert.equal((await postSession(run, dev)).status, 200);

    const all = await readSessions(run, `field=sum(session)&groupBy=project&${WINDOW}`);
    assert.deepEqual(
      all.groups.map((group) => [group.by, group.totals['sum(session)']]),
      [
        [{ project: SHOP.id }, 3],
        [{ project: HOME.id }, 1],
      ],
    );
    const canary = await readSessions(run, `project=${SHOP.id}&field=sum(session)&groupBy=environment&query=release:shop@1.2.0&${WINDOW}`);
    assert.equal(canary.query, 'release:shop@1.2.0');
    assert.deepEqual(
      canary.groups.map((group) => [group.by, group.totals['sum(session)']]),
      [
        [{ environment: 'development' }, 1],
        [{ environment: 'production' }, 1],
      ],
    );
    const production = await readSessions(run, `project=${SHOP.id}&environment=production&field=sum(session)&groupBy=release&groupBy=session.status&${WINDOW}`);
    assert.deepEqual(byReleaseAndStatus(production), { 'shop@1.0.0/healthy': 1, 'shop@1.2.0/errored': 1 });
    const none = await readSessions(run, `project=${CHECKOUT.id}&field=sum(session)&groupBy=session.status&${WINDOW}`);
    assert.deepEqual(
      none.groups.map((group) => [group.by['session.status'], group.totals['sum(session)']]),
      [
        ['abnormal', 0],
        ['crashed', 0],
        ['errored', 0],
        ['healthy', 0],
      ],
      'grouped by status alone, the four statuses are given even without sessions, as in Sentry',
    );
    const nothing = await readSessions(run, `project=${CHECKOUT.id}&field=sum(session)&field=crash_free_rate(session)&${WINDOW}`);
    assert.deepEqual(nothing.groups, [
      { by: {}, totals: { 'sum(session)': 0, 'crash_free_rate(session)': null }, series: { 'sum(session)': [0, 0, 0], 'crash_free_rate(session)': [null, null, null] } },
    ]);
  });

  it('takes statsPeriod for a window ending now', async () => {
    const run = await start();
    const now = sdkSession({ release: 'shop@1.3.0' });
    assert.equal((await postSession(run, now)).status, 200);
    await session(run, 'shop@1.3.0', 0); // ten minutes ago
    const answer = await readSessions(run, 'field=sum(session)&statsPeriod=5m&interval=1m');
    assert.equal(answer.groups[0]?.totals['sum(session)'], 1);
    assert.ok(Date.now() - Date.parse(answer.end) < MINUTE);
    assert.ok(answer.intervals.length === 5 || answer.intervals.length === 6, String(answer.intervals.length));
  });

  it('refuses with 400 and the reason what it cannot answer, 403 a project not its own, 404 another org', async () => {
    const run = await start();
    const refusals: [string, number, RegExp][] = [
      ['groupBy=release', 400, /Request is missing a "field"/],
      ['field=p50(session.duration)', 400, /Invalid field: "p50\(session.duration\)". Supported: sum\(session\)/],
      ['field=sum(session)&groupBy=user.agent', 400, /Invalid groupBy: "user.agent"/],
      ['field=crash_free_rate(session)&groupBy=session.status', 400, /Cannot group field crash_free_rate\(session\) by session.status/],
      ['field=sum(session)&interval=soon', 400, /Invalid interval/],
      ['field=sum(session)&statsPeriod=forever', 400, /Invalid statsPeriod/],
      ['field=sum(session)&start=2026-01-01T00:00:00Z', 400, /start and end are both required/],
      ['field=sum(session)&start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z', 400, /end must be after start/],
      ['field=sum(session)&statsPeriod=24h&interval=1m', 400, /too many results/],
      ['field=sum(session)&query=!release:a', 400, /takes release:<release> and environment:<environment> terms only/],
      ['field=sum(session)&query=cart', 400, /terms only/],
      ['field=sum(session)&orderBy=-sum(session)', 400, /does not support orderBy/],
      ['field=sum(session)&project=shop', 400, /Values must be numbers/],
      ['field=sum(session)&project=99', 403, /No project 99/],
    ];
    for (const [query, status, reason] of refusals) {
      const response = await fetch(sessionsUrl(run, query));
      assert.equal(response.status, status, query);
      assert.match(await detail(response), reason, query);
    }
    const otherOrg = await fetch(`${run.url}/api/0/organizations/acme/sessions/?field=sum(session)`);
    assert.equal(otherOrg.status, 404);
    assert.match(await detail(otherOrg), /Organization "acme" not found/);
  });

  it('is guarded as the read API: the read token, the Host check, the allowed origins', async () => {
    const run = await start({ readToken: 'reader' });
    const url = sessionsUrl(run, 'field=sum(session)&statsPeriod=1h');
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer reader' } })).status, 200);
    assert.equal((await fetch(`${url}&token=reader`)).status, 401, 'API URLs take no ?token=');
    const rebound = await requestWithHost(url, 'attacker.test', { headers: { authorization: 'Bearer reader' } });
    assert.equal(rebound.status, 421);
    const page = await fetch(url, { headers: { authorization: 'Bearer reader', origin: 'https://attacker.test' } });
    assert.equal(page.status, 403);
    const project = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/shop/`);
    assert.equal(project.status, 401);
  });
});

describe('project details', () => {
  it('gives the id as a string, the slug and the name, as Sentry; 404 for an unknown project', async () => {
    const run = await start();
    for (const [slug, project] of [
      ['home', HOME],
      ['shop', SHOP],
      ['checkout', CHECKOUT],
    ] as const) {
      const { status, body } = await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/${slug}/`);
      assert.equal(status, 200);
      assert.deepEqual(body, { id: String(project.id), slug, name: slug });
    }
    const unknown = await fetch(`${run.url}/api/0/projects/${INBOX_ORG}/cart/`);
    assert.equal(unknown.status, 404);
    assert.match(await detail(unknown), /Project "cart" not found/);
  });
});

describe('release health per owner', () => {
  it('gives sessions, failed, crashed, crash-free rate and error events per release of the owner, newest first', async () => {
    const run = await start();
    await session(run, 'shop@1.0.0', 5_000);
    await session(run, 'shop@1.0.0', 6_000);
    await session(run, 'shop@1.1.0', 7_000, 'errored');
    await session(run, 'shop@1.1.0', 8_000, 'crashed');
    await session(run, 'home@2.0.0', 9_000, 'crashed', undefined, HOME);
    const errors = ['one', 'two', 'three'].map((value) => errorEvent(value, { release: 'shop@1.1.0' }));
    const info = errorEvent('just a note', { release: 'shop@1.0.0', level: 'info' });
    assert.equal((await post(run.url, envelope([...errors, info]))).status, 200);
    // An error of a release that never sent a session.
    assert.equal((await post(run.url, envelope([errorEvent('old', { release: 'shop@0.9.0' })]))).status, 200);

    await run.inbox.close();
    const store = await EventStore.open(run.dir);
    try {
      const health = releaseHealth(store, 'shop');
      assert.deepEqual(
        health.map(({ lastSeen, ...figures }) => {
          assert.ok(lastSeen !== null && Date.parse(lastSeen) > BASE, String(lastSeen));
          return figures;
        }),
        [
          { release: 'shop@0.9.0', sessions: 0, failed: 0, crashed: 0, crashFreeRate: null, errors: 1, errorsPerSession: null },
          { release: 'shop@1.1.0', sessions: 2, failed: 2, crashed: 1, crashFreeRate: 0.5, errors: 3, errorsPerSession: 1.5 },
          { release: 'shop@1.0.0', sessions: 2, failed: 0, crashed: 0, crashFreeRate: 1, errors: 0, errorsPerSession: 0 },
        ],
      );
      assert.deepEqual(
        releaseHealth(store, 'home').map((row) => [row.release, row.sessions, row.crashed]),
        [['home@2.0.0', 1, 1]],
      );
      assert.deepEqual(releaseHealth(store, 'checkout'), []);
    } finally {
      await store.close();
    }
  });
});
