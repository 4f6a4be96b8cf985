/**
 * The inbox: the store, the issue index, the live stream and the alerts, wired together, behind
 * the routes of app.ts, served by Node's HTTP server through @hono/node-server.
 *
 * Every stored event goes, in commit order, into the issue index, then to the stream's
 * subscribers and, when it opens or reopens an issue, to its team's webhook.
 */

import type { AddressInfo } from 'node:net';
import { type ServerType, createAdaptorServer } from '@hono/node-server';
import { DEFAULT_INBOX_UPLOAD_TOKEN } from '@repo/topology';
import { AlertQueue, type AlertOptions, alertMessage } from './alerts.ts';
import { createApp } from './app.ts';
import { ArtifactStore } from './artifacts/store.ts';
import { type BodyLimits, INGEST_BODY_LIMITS } from './body.ts';
import { type RateLimit, ZONE_ORIGINS } from './config.ts';
import { type DeployConsole, createConsole } from './console/routes.ts';
import { ownOrigins } from './console/same-origin.ts';
import { IssueIndex } from './grouping.ts';
import { hostNames } from './http/host-check.ts';
import { ReadAuth } from './http/read-token.ts';
import { PROJECTS, projectById } from './projects.ts';
import { RateLimiter } from './rate-limit.ts';
import { releaseHealth } from './sessions/health.ts';
import { EventStore, type StoredEvent } from './store.ts';
import { EventStream } from './stream.ts';
import { eventSummary, issuePath, issueView } from './views.ts';
import { createSymbolicator } from './symbolicate/symbolicator.ts';
import type { ResolveDevFrames } from './symbolicate/dev-frames.ts';

export interface InboxServerOptions {
  readonly dataDir: string;
  /** 0 for any free port (tests). */
  readonly port: number;
  readonly host: string;
  /** When set, the read API, the stream, the UI and the console require it (http/read-token.ts). */
  readonly readToken?: string;
  /** The token source-map uploads must carry (routes/artifacts.ts); the topology's default when undefined. */
  readonly uploadToken?: string;
  /** Events per project per window; none when undefined. */
  readonly rateLimit?: RateLimit;
  /** Webhooks per team and delivery settings (alerts.ts). */
  readonly alerts?: AlertOptions;
  /** Body limits, for tests; Sentry's by default (limits.ts). */
  readonly bodyLimits?: BodyLimits;
  /** The release registry (@repo/releases) the deploy console shows and moves: a file path or a URL; registryFile when undefined. */
  readonly registry?: string;
  /** The registry file the inbox serves at /api/releases/registry.json. */
  readonly registryFile: string;
  /** What a PUT of the served registry must carry; @repo/releases' default when undefined. */
  readonly registryToken?: string;
  /**
   * Origins whose pages may read the inbox (CORS) and whose names it answers to: the zones' own
   * by default, plus INBOX_ALLOWED_ORIGINS (config.ts).
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Resolves `npm run dev` frames (webpack-internal, no debug ID) through the zones' dev servers;
   * off when undefined (tests, so they never call the zones' ports). main.ts turns it on.
   */
  readonly resolveDevFrames?: ResolveDevFrames;
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
  /** How many sessions the database holds (all projects, each session once), once listening. */
  readonly sessionCount: number;
  /** How many spans the database holds (all projects), once listening. */
  readonly spanCount: number;
  /** The uploaded source maps by debug ID (ArtifactLookup), once listening. */
  readonly artifacts: ArtifactStore;
  /** The alert queue's outcomes so far. */
  readonly alertStats: { readonly delivered: number; readonly failed: number };
}

class Inbox implements InboxServer {
  private store: EventStore | undefined;
  private artifactStore: ArtifactStore | undefined;
  private server: ServerType | undefined;
  private address: AddressInfo | undefined;
  private readonly issues = new IssueIndex();
  private readonly stream = new EventStream();
  private readonly auth: ReadAuth;
  private readonly uploadAuth: ReadAuth;
  private readonly alerts: AlertQueue;
  private readonly deployConsole: DeployConsole;
  private own: readonly string[] | undefined;

  constructor(private readonly options: InboxServerOptions) {
    this.auth = new ReadAuth(options.readToken);
    // Never open: an empty token falls back to the default, as the topology's inboxUploadToken() does.
    this.uploadAuth = new ReadAuth(options.uploadToken || DEFAULT_INBOX_UPLOAD_TOKEN);
    this.alerts = new AlertQueue(options.alerts ?? { webhooks: {} });
    this.deployConsole = createConsole({
      registry: options.registry,
      registryFile: options.registryFile,
      registryToken: options.registryToken,
      // Release health per owner for the panel; nothing until the store is open.
      health: (owner) => (this.store ? releaseHealth(this.store, owner) : []),
      auth: this.auth,
      ownOrigins: () => (this.own ??= ownOrigins(options.host, this.port)),
    });
  }

  async listen(): Promise<string> {
    if (this.address) return this.url;
    const store = await EventStore.open(this.options.dataDir);
    for (const project of PROJECTS) for (const record of store.events(project.id)) this.issues.observe(record);
    store.onStored((record) => this.onStored(record));
    this.store = store;
    try {
      // After the event store: its EXCLUSIVE lock is what keeps a second inbox off this directory.
      const artifacts = ArtifactStore.open(this.options.dataDir);
      this.artifactStore = artifacts;
      await this.serve(store, artifacts);
    } catch (error) {
      this.server = undefined;
      this.artifactStore?.close();
      this.artifactStore = undefined;
      await store.close();
      this.store = undefined;
      throw error;
    }
    return this.url;
  }

  private async serve(store: EventStore, artifacts: ArtifactStore): Promise<void> {
    const { options } = this;
    const allowedOrigins = options.allowedOrigins ?? ZONE_ORIGINS;
    const app = createApp({
      store,
      issues: this.issues,
      stream: this.stream,
      auth: this.auth,
      artifacts,
      // Frames are resolved before an event is stored, as Sentry's pipeline does, so issues group
      // on original files and functions.
      symbolicate: createSymbolicator(artifacts),
      resolveDevFrames: options.resolveDevFrames,
      uploadAuth: this.uploadAuth,
      rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
      bodyLimits: options.bodyLimits ?? INGEST_BODY_LIMITS,
      hostNames: hostNames(options.host, allowedOrigins),
      allowedOrigins,
      deployConsole: this.deployConsole,
      site: this,
    });
    const server = createAdaptorServer({ fetch: app.fetch });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.address = server.address() as AddressInfo;
  }

  /** Every stored event, in order: into the issue index, then to the stream and the alerts. */
  private onStored(record: StoredEvent): void {
    const { issue, change } = this.issues.observe(record);
    const project = projectById(record.projectId);
    if (!project) return;
    this.stream.publish(record, () => ({
      ...eventSummary(project, record),
      issue: issueView(project, issue, this.publicOrigin()),
    }));
    if (change && this.alerts.has(project.slug)) {
      const link = `${this.publicOrigin()}${issuePath(project, issue.id)}`;
      this.alerts.enqueue(project.slug, alertMessage(project, issue, change, record, link));
    }
  }

  /** The origin DSNs name (`http://localhost:<port>`), for links in alerts and streams. */
  private publicOrigin(): string {
    return `http://localhost:${this.address?.port ?? this.options.port}`;
  }

  async close(): Promise<void> {
    this.stream.close();
    // An ended stream's last write goes through node-server's stream reader, a chain of promises:
    // after it, its connection is idle, and closing the server closes it at once instead of
    // waiting for it to time out.
    await new Promise((resolve) => setImmediate(resolve));
    const server = this.server;
    if (server?.listening) {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
    await this.alerts.close();
    this.artifactStore?.close();
    await this.store?.close();
  }

  get url(): string {
    const address = this.listening();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  get port(): number {
    return this.listening().port;
  }

  get warnings(): readonly string[] {
    return this.store?.warnings ?? [];
  }

  get storedCount(): number {
    if (!this.store) throw new Error('The inbox is not listening.');
    return this.store.count();
  }

  get sessionCount(): number {
    if (!this.store) throw new Error('The inbox is not listening.');
    return this.store.sessions.count();
  }

  get spanCount(): number {
    if (!this.store) throw new Error('The inbox is not listening.');
    return this.store.spans.count();
  }

  get artifacts(): ArtifactStore {
    if (!this.artifactStore) throw new Error('The inbox is not listening.');
    return this.artifactStore;
  }

  get alertStats(): { readonly delivered: number; readonly failed: number } {
    return { ...this.alerts.stats };
  }

  private listening(): AddressInfo {
    if (!this.address) throw new Error('The inbox is not listening.');
    return this.address;
  }
}

export function createInboxServer(options: InboxServerOptions): InboxServer {
  return new Inbox(options);
}
