/**
 * The inbox: the store, the issue index, the live stream and the alerts, wired together, behind
 * the routes of app.ts, served by Node's HTTP server through @hono/node-server.
 *
 * Every stored event goes, in commit order, into the issue index, then to the stream's
 * subscribers and, when it opens or reopens an issue, to its team's webhook.
 */

import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { AlertQueue, type AlertOptions, alertMessage } from './alerts.ts';
import { createApp } from './app.ts';
import { type BodyLimits, INGEST_BODY_LIMITS } from './body.ts';
import type { RateLimit } from './config.ts';
import { ZONE_ORIGINS } from './config.ts';
import { createConsole } from './console/routes.ts';
import { ownOrigins } from './console/same-origin.ts';
import { IssueIndex } from './grouping.ts';
import { hostNames } from './http/host-check.ts';
import { ReadAuth } from './http/read-token.ts';
import { PROJECTS, projectById } from './projects.ts';
import { RateLimiter } from './rate-limit.ts';
import { EventStore, type StoredEvent } from './store.ts';
import { EventStream } from './stream.ts';
import { eventSummary, issuePath, issueView } from './views.ts';

export interface InboxServerOptions {
  readonly dataDir: string;
  /** 0 for any free port (tests). */
  readonly port: number;
  readonly host: string;
  /** When set, the read API, the stream and the UI require it (auth.ts). */
  readonly readToken?: string;
  /** Events per project per window; none when undefined. */
  readonly rateLimit?: RateLimit;
  /** Webhooks per team and delivery settings (alerts.ts). */
  readonly alerts?: AlertOptions;
  /** Body limits, for tests; Sentry's by default (limits.ts). */
  readonly bodyLimits?: BodyLimits;
  /** The release registry (@repo/releases) the deploy console shows and moves. */
  readonly registryFile: string;
  /**
   * Origins whose pages may read the inbox (CORS) and whose names it answers to: the zones' own
   * by default, plus INBOX_ALLOWED_ORIGINS (config.ts).
   */
  readonly allowedOrigins?: readonly string[];
}

export interface InboxServer {
  /** Opens the store (loading the events on disk), then listens; resolves with the URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, ends the streams, lets requests under way finish, then closes the store. */
  close(): Promise<void>;
  /** `http://<host>:<port>`, once listening. */
  readonly url: string;
  /** The port listened on, once listening. */
  readonly port: number;
  /** Problems met while opening the store, once listening. */
  readonly warnings: readonly string[];
  /** How many events the database holds (all projects), once listening. */
  readonly storedCount: number;
  /** The alert queue's outcomes so far. */
  readonly alertStats: { readonly delivered: number; readonly failed: number };
}

export function createInboxServer(options: InboxServerOptions): InboxServer {
  let store: EventStore | undefined;
  let server: ReturnType<typeof createAdaptorServer> | undefined;
  let address: AddressInfo | undefined;
  const issues = new IssueIndex();
  const stream = new EventStream();
  const auth = new ReadAuth(options.readToken);
  const alerts = new AlertQueue(options.alerts ?? { webhooks: {} });
  const allowedOrigins = options.allowedOrigins ?? ZONE_ORIGINS;
  const site = {
    get port(): number {
      if (!address) throw new Error('The inbox is not listening.');
      return address.port;
    },
  };
  let own: readonly string[] | undefined;
  const deployConsole = createConsole({
    registryFile: options.registryFile,
    auth,
    ownOrigins: () => (own ??= ownOrigins(options.host, site.port)),
  });

  /** The origin DSNs name (`http://localhost:<port>`), for links in alerts and streams. */
  function publicOrigin(): string {
    return `http://localhost:${address?.port ?? options.port}`;
  }

  function url(): string {
    if (!address) throw new Error('The inbox is not listening.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Every stored event, in order: into the issue index, then to the stream and the alerts. */
  function onStored(record: StoredEvent): void {
    const { issue, change } = issues.observe(record);
    const project = projectById(record.projectId);
    if (!project) return;
    stream.publish(record, () => ({
      ...eventSummary(project, record),
      issue: issueView(project, issue, publicOrigin()),
    }));
    if (change && alerts.has(project.slug)) {
      const link = `${publicOrigin()}${issuePath(project, issue.id)}`;
      alerts.enqueue(project.slug, alertMessage(project, issue, change, record, link));
    }
  }

  async function listen(opened: EventStore): Promise<void> {
    const app = createApp({
      store: opened,
      issues,
      stream,
      auth,
      rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
      bodyLimits: options.bodyLimits ?? INGEST_BODY_LIMITS,
      hostNames: hostNames(options.host, allowedOrigins),
      allowedOrigins,
      deployConsole,
      site,
    });
    const listening = createAdaptorServer({ fetch: app.fetch });
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port, options.host, () => {
        listening.off('error', reject);
        resolve();
      });
    });
    address = listening.address() as AddressInfo;
  }

  return {
    async listen() {
      if (address) return url();
      const opened = await EventStore.open(options.dataDir);
      for (const project of PROJECTS) for (const record of opened.events(project.id)) issues.observe(record);
      opened.onStored(onStored);
      store = opened;
      try {
        await listen(opened);
      } catch (error) {
        server = undefined;
        await opened.close();
        store = undefined;
        throw error;
      }
      return url();
    },

    async close() {
      stream.close();
      // An ended stream's last write goes through node-server's stream reader, a chain of promises:
      // after it, its connection is idle, and closing the server closes it at once instead of
      // waiting for it to time out.
      await new Promise((resolve) => setImmediate(resolve));
      const listening = server;
      if (listening?.listening) {
        await new Promise<void>((resolve, reject) => listening.close((error) => (error ? reject(error) : resolve())));
      }
      await alerts.close();
      await store?.close();
    },

    get url() {
      return url();
    },
    get port() {
      return site.port;
    },
    get warnings() {
      return store?.warnings ?? [];
    },
    get storedCount() {
      if (!store) throw new Error('The inbox is not listening.');
      return store.count();
    },
    get alertStats() {
      return { ...alerts.stats };
    },
  };
}
