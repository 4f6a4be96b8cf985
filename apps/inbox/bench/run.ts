/**
 * Ingest benchmark: `npm run bench --workspace apps/inbox` (not part of `npm test`).
 *
 * Starts each receiver as its own process on loopback, one after the other (never two at once:
 * the machine has 2 cores), and sends it the same envelope, a ~3 KB browser error event with a
 * fresh event id each time, from keep-alive connections for a fixed time after a warm-up, with
 * autocannon (@repo/testkit/load, the load generator of the repository's benchmarks). Reports
 * acknowledged (2xx) envelopes per second and latency percentiles, prints a table and writes it
 * to bench/RESULTS.md with the machine and the command.
 *
 *   npm run bench --workspace apps/inbox -- [--seconds 10] [--connections 16] [--warm-up 1]
 *       [--rounds 1] [--targets inbox,spotlight] [--inbox <dir>] [--out bench/RESULTS.md]
 *
 * Receivers: this inbox (SQLite, WAL, synchronous=FULL: a 200 means on disk) and Spotlight's
 * sidecar (@spotlightjs/spotlight, an in-memory buffer, nothing on disk), when installed. The
 * inbox runs twice: `inbox` gets frames with no debug ID (nothing to resolve, ingest as before
 * symbolication), `inbox-symbolicated` the same event with the minified frames of a real webpack
 * build whose maps were uploaded to it with sentry-cli first, every frame resolved at ingest
 * (src/symbolicate/): the cost of symbolication, in one run. With
 * `--rounds N` the targets take turns N times (on a shared machine, load from elsewhere then
 * spreads over all of them) and the table shows each one's median round. `--inbox <dir>`
 * benchmarks the inbox of another checkout (its apps/inbox), e.g. a worktree of an older commit,
 * under the same load: before/after figures of a change.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type LoadResult, load } from '@repo/testkit/load';
import { freePort } from '@repo/testkit/ports';
import { type RunningProcess, startProcess, stopAll } from '@repo/testkit/process';
import { INBOX_PROJECTS } from '@repo/topology';
import { type Build, buildFixture, throwingEvent, uploadBuild } from '../src/symbolicate/testing.ts';
import { cleanUp } from '../src/testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOP = INBOX_PROJECTS.shop;

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    'warm-up': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    targets: { type: 'string' },
    inbox: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench', 'RESULTS.md') },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above 0, not ${JSON.stringify(text)}`);
  return value;
}

const SECONDS = positive('seconds', args.seconds);
const CONNECTIONS = positive('connections', args.connections);
const WARM_UP_SECONDS = positive('warm-up', args['warm-up']);
const ROUNDS = positive('rounds', args.rounds);
const INBOX_DIR = resolve(args.inbox ?? ROOT);

interface Started {
  readonly process: RunningProcess;
  /** After it stopped: what to add to the report. */
  readonly after?: () => string;
}

interface Target {
  readonly name: string;
  readonly description: string;
  start(port: number): Promise<Started>;
  /** The envelope it is sent; the plain one by default. */
  readonly template?: () => string;
}

interface Round {
  readonly target: Target;
  readonly load: LoadResult;
  readonly acked: number;
  readonly perSecond: number;
  readonly note: string;
}

function node(name: string, args: string[], cwd: string, env: Record<string, string>, readyUrl: string): Promise<RunningProcess> {
  return startProcess({ name, command: process.execPath, args: ['--import', 'tsx', ...args], cwd, env, readyUrl, timeoutMs: 30_000 });
}

/** Starts the inbox on `port` with a fresh data directory; `prepare` runs once it is up. */
async function startInbox(port: number, prepare?: (url: string) => Promise<void>): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inbox-bench-'));
  const started = await node(
    'inbox',
    ['src/main.ts'],
    INBOX_DIR,
    { INBOX_PORT: String(port), INBOX_DATA_DIR: dataDir },
    `http://127.0.0.1:${port}/healthz`,
  );
  await prepare?.(`http://127.0.0.1:${port}`);
  return {
    process: started,
    // Count what is really in the database, and how much of it was resolved.
    after: () => {
      const db = new Database(join(dataDir, 'inbox.sqlite'), { readonly: true });
      const { n, bytes } = db.prepare('SELECT count(*) AS n, avg(length(payload)) AS bytes FROM events').get() as { n: number; bytes: number };
      const { resolved } = db
        .prepare(`SELECT count(*) AS resolved FROM events WHERE payload LIKE '%"symbolicated":true%'`)
        .get() as { resolved: number };
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
      return `${n} events in the database after the run, ${resolved} of them symbolicated, ${(bytes / 1024).toFixed(1)} KB each on average`;
    },
  };
}

const inbox: Target = {
  name: 'inbox',
  description: `apps/inbox${args.inbox ? ` of ${INBOX_DIR}` : ''}: SQLite WAL, synchronous=FULL, group commit; frames without debug IDs`,
  start: (port) => startInbox(port),
};

/** The real build the symbolicated events come from (made once, on first use). */
let fixture: Build | undefined;

async function symbolicationFixture(): Promise<Build> {
  fixture ??= await buildFixture();
  return fixture;
}

/** Uploads the build's maps to the inbox's shop project, as `npm run sourcemaps:upload` does. */
async function uploadFixture(url: string): Promise<void> {
  await uploadBuild(url, await symbolicationFixture(), ['shop'], 'shop@1.4.2');
}

const symbolicated: Target = {
  name: 'inbox-symbolicated',
  description:
    'the same inbox, the same event with the 12 minified frames of a real webpack build and its debug IDs, maps uploaded with sentry-cli before the run: every frame resolved at ingest',
  start: (port) => startInbox(port, uploadFixture),
  template: () => {
    if (!fixture) throw new Error('the fixture is built when the target starts');
    const [file] = fixture.files;
    if (!file) throw new Error('the fixture build wrote no file');
    const event = throwingEvent(file);
    const thrown = (event.exception as { values: { stacktrace: { frames: unknown[] } }[] }).values[0];
    const frames = thrown?.stacktrace.frames ?? [];
    return envelopeTemplate(
      Array.from({ length: 12 }, (_, i) => frames[i % frames.length]),
      event.debug_meta,
    );
  },
};

const spotlight: Target = {
  name: 'spotlight',
  description: '@spotlightjs/spotlight sidecar: in-memory buffer, no disk',
  async start(port) {
    return { process: await node('spotlight', ['bench/spotlight-sidecar.ts', String(port)], ROOT, {}, `http://127.0.0.1:${port}/health`) };
  },
};

const PLAIN_FRAMES = Array.from({ length: 12 }, (_, i) => ({
  filename: `app:///_next/static/chunks/pages/module-${i}.js`,
  function: `handler${i}`,
  lineno: 100 + i,
  colno: 12,
  in_app: i > 8,
  context_line: `  const total = items.reduce((sum, item) => sum + item.price, ${i});`,
}));

/**
 * The envelope, with `EVENT_ID` where each request puts a fresh event id (in its header and its
 * event): a browser error with `frames` and, when given, `debug_meta`.
 */
function envelopeTemplate(frames: readonly unknown[] = PLAIN_FRAMES, debugMeta?: unknown): string {
  const event = {
    event_id: 'EVENT_ID',
    timestamp: Date.now() / 1000,
    platform: 'javascript',
    level: 'error',
    release: 'shop@1.4.2',
    environment: 'bench',
    tags: { owner: 'shop', zone: 'checkout', run: 'bench' },
    exception: { values: [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'price')", stacktrace: { frames } }] },
    breadcrumbs: Array.from({ length: 10 }, (_, i) => ({ timestamp: Date.now() / 1000, category: 'ui.click', message: `button#buy-${i}` })),
    request: { url: 'http://localhost:3002/checkout?step=pay', headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) bench' } },
    sdk: { name: 'sentry.javascript.nextjs', version: '11.0.0' },
    ...(debugMeta === undefined ? {} : { debug_meta: debugMeta }),
  };
  const header = { event_id: 'EVENT_ID', sent_at: new Date().toISOString(), dsn: `http://${SHOP.publicKey}@localhost/${SHOP.id}` };
  return `${JSON.stringify(header)}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
}

/** Ingest under load for `seconds`, every request a new event made from `template`. */
function ingestLoad(port: number, seconds: number, template: string): Promise<LoadResult> {
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    seconds,
    requests: [
      {
        method: 'POST',
        path: `/api/${SHOP.id}/envelope/?sentry_key=${SHOP.publicKey}&sentry_version=7`,
        headers: { 'content-type': 'application/x-sentry-envelope' },
        setupRequest: (request) => ({ ...request, body: template.replaceAll('EVENT_ID', randomUUID().replaceAll('-', '')) }),
      },
    ],
  });
}

async function measure(target: Target): Promise<Round> {
  const port = await freePort();
  const started = await target.start(port);
  let result: LoadResult;
  try {
    const template = target.template?.() ?? envelopeTemplate();
    const warmUp = await ingestLoad(port, WARM_UP_SECONDS, template);
    if (warmUp.requests === warmUp.non2xx) throw new Error(`${target.name} acknowledged nothing in the warm-up`);
    result = await ingestLoad(port, SECONDS, template);
  } finally {
    await started.process.stop();
  }
  const acked = result.requests - result.non2xx;
  return { target, load: result, acked, perSecond: acked / result.seconds, note: started.after?.() ?? '' };
}

/** What one durable commit costs on this disk: single-row transactions, synchronous=FULL (an fsync each) and OFF. */
function commitCost(): { full: number; off: number } {
  const dir = mkdtempSync(join(tmpdir(), 'inbox-bench-fsync-'));
  try {
    const perCommitUs = (synchronous: string): number => {
      const db = new Database(join(dir, `${synchronous}.sqlite`));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec('CREATE TABLE t (x TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      const row = 'x'.repeat(3000);
      const n = 500;
      const started = performance.now();
      for (let i = 0; i < n; i++) db.transaction(() => insert.run(row))();
      const us = ((performance.now() - started) / n) * 1000;
      db.close();
      return us;
    };
    return { full: perCommitUs('FULL'), off: perCommitUs('OFF') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spotlightInstalled(): boolean {
  try {
    import.meta.resolve('@spotlightjs/spotlight');
    return true;
  } catch {
    return false;
  }
}

function chooseTargets(): Target[] {
  const known = [inbox, symbolicated, spotlight];
  const names = args.targets?.split(',').map((name) => name.trim()) ?? known.map((target) => target.name);
  const chosen = names.map((name) => {
    const target = known.find((t) => t.name === name);
    if (!target) throw new Error(`--targets: no target ${JSON.stringify(name)} (there are ${known.map((t) => t.name).join(', ')})`);
    return target;
  });
  if (chosen.includes(spotlight) && !spotlightInstalled()) {
    console.warn('bench: @spotlightjs/spotlight is not installed; leaving it out');
    return chosen.filter((target) => target !== spotlight);
  }
  return chosen;
}

const ms = (n: number): string => n.toFixed(2);

/** The round with the median envelopes/s (the lower middle one for an even count). */
function medianRound(rounds: readonly Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.perSecond - b.perSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no rounds');
  return median;
}

interface Measured {
  readonly target: Target;
  readonly rounds: readonly Round[];
}

/** Every target, `ROUNDS` times, taking turns. */
async function measureAll(targets: readonly Target[]): Promise<Measured[]> {
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of targets) {
      const result = await measure(target);
      rounds.push(result);
      console.log(`bench: round ${round}, ${target.name}: ${result.perSecond.toFixed(0)} envelopes/s, p50 ${ms(result.load.latency.p50)} ms`);
    }
  }
  return targets.map((target) => ({ target, rounds: rounds.filter((r) => r.target === target) }));
}

function table(results: readonly Measured[]): string {
  return [
    '| receiver | acknowledged envelopes/s | p50 ms | p95 ms | p99 ms | max ms | acknowledged | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(({ target, rounds }) => {
      const r = medianRound(rounds);
      const { p50, p95, p99, max } = r.load.latency;
      const failed = r.load.non2xx + r.load.errors;
      return `| ${target.name} | ${r.perSecond.toFixed(0)} | ${ms(p50)} | ${ms(p95)} | ${ms(p99)} | ${ms(max)} | ${r.acked} | ${failed} |`;
    }),
  ].join('\n');
}

function markdown(results: readonly Measured[], commitLine: string, loadAverage: string): string {
  const everyRound = results.map(({ target, rounds }) => `${target.name} ${rounds.map((r) => r.perSecond.toFixed(0)).join(', ')}`).join('; ');
  const notes = results.flatMap(({ target, rounds }) => {
    const note = medianRound(rounds).note;
    return note ? [`- ${target.name}: ${note}.`] : [];
  });
  const cpu = cpus();
  const command = `npm run bench --workspace apps/inbox -- --seconds ${SECONDS} --connections ${CONNECTIONS} --warm-up ${WARM_UP_SECONDS} --rounds ${ROUNDS}${
    args.targets ? ` --targets ${args.targets}` : ''
  }${args.inbox ? ` --inbox ${args.inbox}` : ''}`;
  return `# Ingest benchmark

Written by \`npm run bench --workspace apps/inbox\` (bench/run.ts) on ${new Date().toISOString()}.

${table(results)}

- Receivers: ${results.map(({ target }) => `**${target.name}**, ${target.description}`).join('; ')}.
${notes.join('\n')}
- Load: autocannon (@repo/testkit/load), ${CONNECTIONS} concurrent keep-alive HTTP/1.1 connections on
  loopback, for ${SECONDS} s per receiver after a ${WARM_UP_SECONDS} s warm-up that is not counted;
  one receiver at a time, ${ROUNDS} round(s) taking turns; the table shows each receiver's median
  round (envelopes/s of every round: ${everyRound}). Each request is one envelope with one ~3 KB
  browser error event (12 frames, 10 breadcrumbs) and a fresh event id, key in the query as
  browsers send it. A symbolicated event is stored with, per frame, its original position, up to
  11 lines of source and the raw frame (see the size per event in the notes). "Acknowledged" is a 2xx answer; latency is from sending the request to the
  end of the answer.
- Disk: ${commitLine}. Where an fsync costs milliseconds (many disks), the inbox's group commit
  (one fsync per batch of concurrent requests) matters more and the figures will differ.
- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
  Linux ${release()}, Node ${process.version}; load average at the start ${loadAverage} (the client shares
  the cores with the receiver).
- Command: \`${command}\`
`;
}

async function main(): Promise<void> {
  const targets = chooseTargets();
  const loadAverage = loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(
    `bench: ${CONNECTIONS} connections, ${SECONDS} s per target after ${WARM_UP_SECONDS} s warm-up, ${ROUNDS} round(s); load average ${loadAverage}`,
  );
  const commit = commitCost();
  const commitLine = `one SQLite commit here: ${commit.full.toFixed(0)} µs with synchronous=FULL (fsync), ${commit.off.toFixed(0)} µs with OFF`;
  console.log(`bench: ${commitLine}`);
  const results = await measureAll(targets);
  console.log(`\n${table(results)}\n`);
  writeFileSync(args.out, markdown(results, commitLine, loadAverage));
  console.log(`bench: wrote ${args.out}`);
}

try {
  await main();
} finally {
  await stopAll();
  await cleanUp();
}
