/**
 * Helpers for the guard's tests (not a test file itself): a real inbox started with its own
 * start script on a free port, sessions sent to it as the SDK sends them, a registry file with a
 * live release and a canary, a webhook receiver, and a log whose lines a test can wait for.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSessionEnvelope, getEnvelopeEndpointWithUrlEncodedAuth, makeDsn, makeSession, serializeEnvelope, updateSession } from '@sentry/core';
import { openRegistryStore, registerRelease, type RegistryStore } from '@repo/releases/store';
import { freePort } from '@repo/testkit/ports';
import { startProcess, type RunningProcess } from '@repo/testkit/process';
import { INBOX_ORG, ZONE_NAMES, localDsn, type Owner } from '@repo/topology';
import type { HealthSource } from './config.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const dirs: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface Inbox {
  readonly server: RunningProcess;
  readonly port: number;
  readonly origin: string;
  /** Where the guard reads it: the inbox's organisation and the owners' slugs, no token. */
  readonly health: HealthSource;
}

/** An inbox as `npm run start` starts it, on a free port, with a fresh data directory and no webhooks of its own. */
export async function startInbox(): Promise<Inbox> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = {
    INBOX_PORT: String(port),
    INBOX_DATA_DIR: await tempDir('guard-inbox-'),
    FEDERATION_REGISTRY: join(await tempDir('guard-inbox-registry-'), 'registry.json'),
    INBOX_READ_TOKEN: undefined,
  };
  for (const owner of ZONE_NAMES) env[`INBOX_WEBHOOK_${owner.toUpperCase()}`] = undefined;
  const server = await startProcess({
    name: 'inbox',
    command: 'npm',
    args: ['run', 'start', '--workspace', 'apps/inbox'],
    cwd: REPO,
    env,
    readyUrl: `${origin}/healthz`,
    timeoutMs: 60_000,
  });
  const projects = Object.fromEntries(ZONE_NAMES.map((owner) => [owner, owner])) as Record<Owner, string>;
  return { server, port, origin, health: { url: origin, org: INBOX_ORG, token: undefined, projects } };
}

export type Outcome = 'ok' | 'errored' | 'crashed';

/**
 * One page view's session for `release`, sent to the owner's project as a host's server sends it:
 * `makeSession` + `createSessionEnvelope` of the SDK, POSTed to the envelope endpoint of the DSN.
 */
export async function sendSession(inbox: Inbox, owner: Owner, release: string, outcome: Outcome): Promise<void> {
  const dsn = makeDsn(localDsn(inbox.port, owner));
  if (!dsn) throw new Error(`no DSN for ${owner}`);
  const session = makeSession({ release, environment: 'test', did: crypto.randomUUID().replaceAll('-', '') });
  // As the SDK says it: an error makes a session errored (errors > 0); crashed is a status.
  if (outcome === 'errored') updateSession(session, { errors: 1 });
  if (outcome === 'crashed') updateSession(session, { status: 'crashed', errors: 1 });
  const response = await fetch(getEnvelopeEndpointWithUrlEncodedAuth(dsn), {
    method: 'POST',
    headers: { 'content-type': 'application/x-sentry-envelope' },
    body: serializeEnvelope(createSessionEnvelope(session, dsn)),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the inbox refused a session of ${release}: ${response.status} ${text}`);
}

/** A registry file with shop's 1.0.0 live and 1.1.0 and 1.2.0 registered beside it. */
export async function shopRegistry(): Promise<{ file: string; store: RegistryStore }> {
  const file = join(await tempDir('guard-registry-'), 'registry.json');
  const store = openRegistryStore(file);
  await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'always', by: 'test' });
  await registerRelease(store, 'shop', '1.1.0', 'http://localhost:3011', { live: 'never', by: 'test' });
  await registerRelease(store, 'shop', '1.2.0', 'http://localhost:3021', { live: 'never', by: 'test' });
  return { file, store };
}

/** Lines logged, and waits for one that matches. */
export class Log {
  readonly lines: string[] = [];
  private readonly waiting: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  readonly write = (line: string): void => {
    this.lines.push(line);
    for (const waiter of [...this.waiting]) {
      if (waiter.match(line)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };

  /** The first line, logged before or after the call, that `match` accepts; rejects after `timeoutMs`. */
  next(match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const already = this.lines.find(match);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`no such line within ${timeoutMs} ms; the log:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }
}

/** A webhook receiver: the JSON bodies POSTed to it, and the status it answers each with. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: unknown[];
  /** Resolves once `count` requests arrived. */
  waitFor(count: number): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function webhookReceiver(status: (n: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(text) as unknown);
      response.writeHead(status(received.length), { 'content-type': 'text/plain' }).end('ok');
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-path`,
    received,
    async waitFor(count) {
      if (received.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return received;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
