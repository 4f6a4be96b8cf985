/**
 * Ingest benchmark: `npm run bench --workspace apps/inbox` (not part of `npm test`).
 *
 * Starts each receiver as its own process on loopback, one after the other (never both at once:
 * the machine has 2 cores), and sends it the same envelope, a ~3 KB browser error event with a
 * fresh event id each time, from a fixed number of concurrent keep-alive connections for a fixed
 * time after a warm-up. Reports acknowledged (2xx) envelopes per second and latency percentiles,
 * prints a table and writes it to bench/RESULTS.md with the machine and the command.
 *
 *   BENCH_SECONDS=10 BENCH_CONCURRENCY=16 npm run bench --workspace apps/inbox
 *
 * Receivers: this inbox (SQLite, WAL, synchronous=FULL: a 200 means on disk) and Spotlight's
 * sidecar (@spotlightjs/spotlight, an in-memory buffer, nothing on disk), when installed.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { INBOX_PROJECTS } from '@repo/topology';
import { freePort } from '../src/testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Read here, not in src/config.ts: these tune the benchmark, not the inbox.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARM_UP_SECONDS = 1;
const SHOP = INBOX_PROJECTS.shop;

interface Target {
  readonly name: string;
  readonly description: string;
  start(port: number): Promise<{ child: ChildProcess; after?: () => string }>;
}

interface Result {
  readonly name: string;
  readonly description: string;
  readonly acked: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly note: string;
}


function launch(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`bench: ${args.join(' ')} exited ${code}:\n${output}`);
  });
  return child;
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within 30 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

const inbox: Target = {
  name: 'inbox',
  description: 'apps/inbox: SQLite WAL, synchronous=FULL, group commit',
  async start(port) {
    const dataDir = mkdtempSync(join(tmpdir(), 'inbox-bench-'));
    const child = launch(['src/main.ts'], { INBOX_PORT: String(port), INBOX_DATA_DIR: dataDir });
    await waitFor(`http://127.0.0.1:${port}/healthz`, child);
    return {
      child,
      // After it stopped: count what is really in the database.
      after: () => {
        const db = new Database(join(dataDir, 'inbox.sqlite'), { readonly: true });
        const { n } = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
        db.close();
        rmSync(dataDir, { recursive: true, force: true });
        return `${n} events in the database after the run`;
      },
    };
  },
};

const spotlight: Target = {
  name: 'spotlight',
  description: '@spotlightjs/spotlight sidecar: in-memory buffer, no disk',
  async start(port) {
    const child = launch(['bench/spotlight-sidecar.ts', String(port)], {});
    await waitFor(`http://127.0.0.1:${port}/health`, child);
    return { child };
  },
};

function envelopeBody(): Buffer {
  const eventId = randomUUID().replaceAll('-', '');
  const frames = Array.from({ length: 12 }, (_, i) => ({
    filename: `app:///_next/static/chunks/pages/module-${i}.js`,
    function: `handler${i}`,
    lineno: 100 + i,
    colno: 12,
    in_app: i > 8,
    context_line: `  const total = items.reduce((sum, item) => sum + item.price, ${i});`,
  }));
  const event = {
    event_id: eventId,
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
  };
  const header = { event_id: eventId, sent_at: new Date().toISOString(), dsn: `http://${SHOP.publicKey}@localhost/${SHOP.id}` };
  return Buffer.from(`${JSON.stringify(header)}\n{"type":"event"}\n${JSON.stringify(event)}\n`);
}

function post(agent: Agent, port: number): Promise<number> {
  const body = envelopeBody();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/${SHOP.id}/envelope/?sentry_key=${SHOP.publicKey}&sentry_version=7`,
        headers: { 'content-type': 'application/x-sentry-envelope', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function measure(target: Target): Promise<Result> {
  const port = await freePort();
  const { child, after } = await target.start(port);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const first = await post(agent, port);
    if (first < 200 || first > 299) throw new Error(`${target.name} refused the benchmark envelope: ${first}`);
    const latencies: number[] = [];
    let acked = 0;
    let failed = 0;
    const warmUpEnds = performance.now() + WARM_UP_SECONDS * 1000;
    const ends = warmUpEnds + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < ends) {
          const started = performance.now();
          let status = 0;
          try {
            status = await post(agent, port);
          } catch {
            status = 0;
          }
          if (started < warmUpEnds) continue;
          latencies.push(performance.now() - started);
          if (status >= 200 && status < 300) acked += 1;
          else failed += 1;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    agent.destroy();
    await stop(child);
    return {
      name: target.name,
      description: target.description,
      acked,
      failed,
      perSecond: acked / SECONDS,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      note: after?.() ?? '',
    };
  } finally {
    agent.destroy();
    await stop(child);
  }
}

/**
 * What one durable commit costs on this disk: single-row SQLite transactions in WAL mode with
 * synchronous=FULL (an fsync each) against OFF (none), in the temp directory the inbox uses.
 * Context for the numbers: group commit matters more where an fsync is slower.
 */
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

const ms = (n: number): string => n.toFixed(2);

async function main(): Promise<void> {
  const targets = spotlightInstalled() ? [inbox, spotlight] : [inbox];
  if (targets.length === 1) console.warn('bench: @spotlightjs/spotlight is not installed; benchmarking the inbox alone');
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(`bench: ${CONCURRENCY} connections, ${SECONDS} s per target after ${WARM_UP_SECONDS} s warm-up; load average ${load}`);
  const commit = commitCost();
  const commitLine = `one SQLite commit here: ${commit.full.toFixed(0)} µs with synchronous=FULL (fsync), ${commit.off.toFixed(0)} µs with OFF`;
  console.log(`bench: ${commitLine}`);
  const results: Result[] = [];
  for (const target of targets) {
    console.log(`bench: ${target.name}…`);
    results.push(await measure(target));
  }

  const table = [
    '| receiver | acknowledged envelopes/s | p50 ms | p95 ms | p99 ms | max ms | acknowledged | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.acked} | ${r.failed} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n`);
  for (const r of results) if (r.note) console.log(`bench: ${r.name}: ${r.note}`);

  const cpu = cpus();
  const markdown = `# Ingest benchmark

Written by \`npm run bench --workspace apps/inbox\` (bench/run.ts) on ${new Date().toISOString()}.

${table}

- Receivers: ${results.map((r) => `**${r.name}**, ${r.description}`).join('; ')}.
${results
  .filter((r) => r.note)
  .map((r) => `- ${r.name}: ${r.note}.`)
  .join('\n')}
- Load: ${CONCURRENCY} concurrent keep-alive HTTP/1.1 connections on loopback from the benchmark's
  own Node process, for ${SECONDS} s per receiver after a ${WARM_UP_SECONDS} s warm-up that is not
  counted; one receiver at a time. Each request is one envelope with one ~3 KB browser error event
  (12 frames, 10 breadcrumbs) and a fresh event id, key in the query as browsers send it.
  "Acknowledged" is a 2xx answer; latency is from sending the request to the end of the answer.
- Disk: ${commitLine}. Where an fsync costs milliseconds (many disks), the inbox's group commit
  (one fsync per batch of concurrent requests) matters more and the figures will differ.
- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
  Linux ${release()}, Node ${process.version}; load average at the start ${load} (the client shares
  the 2 cores with the receiver).
- Command: \`BENCH_SECONDS=${SECONDS} BENCH_CONCURRENCY=${CONCURRENCY} npm run bench --workspace apps/inbox\`
`;
  const file = join(ROOT, 'bench', 'RESULTS.md');
  writeFileSync(file, markdown);
  console.log(`bench: wrote ${file}`);
}

await main();
