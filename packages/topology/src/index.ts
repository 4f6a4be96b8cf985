/**
 * The topology of the demo, declared once: which zones exist, who owns them, where they listen,
 * and which zone consumes which remote. Next configs, the Playwright config, the lab and (later)
 * the Sentry setup read it from here; nothing else hard-codes a port or a URL.
 *
 * Ports can be overridden with `HOME_PORT`, `SHOP_PORT`, `CHECKOUT_PORT` and `INBOX_PORT`. This
 * module is the only place in the repository that reads those variables.
 */

import { builtZoneName, topologyEnv } from './env.ts';

export const ZONE_NAMES = ['home', 'shop', 'checkout'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

/** Every zone is owned by the team of the same name; the owner is who gets told when it fails. */
export type Owner = ZoneName;

/** Module Federation container names. Only shop is a remote today. */
export type RemoteName = 'shop';

export interface ZoneSpec {
  readonly name: ZoneName;
  readonly owner: Owner;
  readonly title: string;
  readonly defaultPort: number;
  readonly portEnv: string;
  /** Remotes this zone consumes (it is a host of each). */
  readonly consumes: readonly RemoteName[];
  /** Whether this zone is itself a federation container others load. */
  readonly isRemote: boolean;
}

export const ZONE_SPECS: Readonly<Record<ZoneName, ZoneSpec>> = {
  home: {
    name: 'home',
    owner: 'home',
    title: 'Home',
    defaultPort: 3000,
    portEnv: 'HOME_PORT',
    consumes: ['shop'],
    isRemote: false,
  },
  shop: {
    name: 'shop',
    owner: 'shop',
    title: 'Shop',
    defaultPort: 3001,
    portEnv: 'SHOP_PORT',
    consumes: [],
    isRemote: true,
  },
  checkout: {
    name: 'checkout',
    owner: 'checkout',
    title: 'Checkout',
    defaultPort: 3002,
    portEnv: 'CHECKOUT_PORT',
    consumes: ['shop'],
    isRemote: false,
  },
};

export const INBOX_SPEC = { name: 'inbox', defaultPort: 9000, portEnv: 'INBOX_PORT' } as const;

/** The local inbox's organisation slug (Sentry's web API paths name an org). */
export const INBOX_ORG = 'local';

/**
 * One project per owner in the local inbox, as Sentry would have: a numeric id (in ingest URLs
 * and DSNs), a slug (in web API URLs, the owner's name) and a public client key. They are fixed
 * so a DSN stays valid across restarts and machines; they guard nothing (the inbox is local).
 */
export const INBOX_PROJECTS: Readonly<Record<Owner, { readonly id: number; readonly publicKey: string }>> = {
  home: { id: 1, publicKey: '55d41049551a4c0fbcce656ce0c045e4' },
  shop: { id: 2, publicKey: 'd1ee3ab1381d262f9833ffe785b132d0' },
  checkout: { id: 3, publicKey: '2879ddad62795253207a0c17fbe45b8c' },
};

/**
 * The token `sentry-cli` presents to the local inbox's upload API (source maps), and the inbox
 * expects: `INBOX_UPLOAD_TOKEN`, else this fixed local default. Like the DSN keys it only keeps
 * anonymous requests out of a loopback-only service; set your own where the inbox is reachable
 * from elsewhere (it says so at start). Shaped like a Sentry user token (`sntryu_` + 64 hex) so
 * sentry-cli takes it without a warning.
 */
export const INBOX_UPLOAD_TOKEN_ENV = 'INBOX_UPLOAD_TOKEN';
export const DEFAULT_INBOX_UPLOAD_TOKEN = `sntryu_${'10ca1'.padEnd(64, '0')}`;

// Read from process.env, never from topologyEnv(): that list is inlined into browser bundles.
export function inboxUploadToken(env: Env = process.env): string {
  const given = env[INBOX_UPLOAD_TOKEN_ENV]?.trim();
  return given === undefined || given === '' ? DEFAULT_INBOX_UPLOAD_TOKEN : given;
}

/** `SENTRY_DSN_HOME`, `SENTRY_DSN_SHOP`, `SENTRY_DSN_CHECKOUT`: where each owner's events go. */
export const DSN_ENV: Readonly<Record<Owner, string>> = {
  home: 'SENTRY_DSN_HOME',
  shop: 'SENTRY_DSN_SHOP',
  checkout: 'SENTRY_DSN_CHECKOUT',
};

/** Every variable the topology reads (see env.ts). */
export const TOPOLOGY_ENV_NAMES: readonly string[] = [
  ...ZONE_NAMES.map((n) => ZONE_SPECS[n].portEnv),
  INBOX_SPEC.portEnv,
  ...ZONE_NAMES.map((n) => DSN_ENV[n]),
];

export interface Zone extends ZoneSpec {
  readonly port: number;
  /** Origin the browser and the other zones use to reach this zone, e.g. `http://localhost:3001`. */
  readonly origin: string;
}

export interface Topology {
  readonly zones: Readonly<Record<ZoneName, Zone>>;
  readonly inbox: { readonly port: number; readonly origin: string };
  /** Where each owner's events go: its SENTRY_DSN_<OWNER>, else its project in the local inbox. */
  readonly dsns: Readonly<Record<Owner, string>>;
}

export type Env = Readonly<Record<string, string | undefined>>;

const HOSTNAME = 'localhost';

function readPort(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable}=${JSON.stringify(raw)} is not a TCP port (an integer from 1 to 65535).`);
  }
  return port;
}

/**
 * Resolves the topology from an environment (by default `process.env`). Pure apart from reading
 * `env`, so tests can resolve any combination of overrides.
 */
export function resolveTopology(env: Env = topologyEnv()): Topology {
  const zones = Object.fromEntries(
    ZONE_NAMES.map((name) => {
      const spec = ZONE_SPECS[name];
      const port = readPort(env, spec.portEnv, spec.defaultPort);
      return [name, { ...spec, port, origin: `http://${HOSTNAME}:${port}` }];
    }),
  ) as Record<ZoneName, Zone>;
  const inboxPort = readPort(env, INBOX_SPEC.portEnv, INBOX_SPEC.defaultPort);

  const taken = new Map<number, string>();
  for (const [name, port] of [
    ...ZONE_NAMES.map((n) => [n, zones[n].port] as const),
    [INBOX_SPEC.name, inboxPort] as const,
  ]) {
    const other = taken.get(port);
    if (other) throw new Error(`Port ${port} is given to both ${other} and ${name}; each needs its own.`);
    taken.set(port, name);
  }

  const inbox = { port: inboxPort, origin: `http://${HOSTNAME}:${inboxPort}` };
  const dsns = Object.fromEntries(
    ZONE_NAMES.map((owner) => [owner, env[DSN_ENV[owner]]?.trim() || localDsn(inbox.port, owner)]),
  ) as Record<Owner, string>;
  return { zones, inbox, dsns };
}

/** The DSN of an owner's project in the local inbox listening on `inboxPort`. */
export function localDsn(inboxPort: number, owner: Owner): string {
  const { id, publicKey } = INBOX_PROJECTS[owner];
  return `http://${publicKey}@${HOSTNAME}:${inboxPort}/${id}`;
}

export function isZoneName(value: string): value is ZoneName {
  return (ZONE_NAMES as readonly string[]).includes(value);
}

/** Whether a name is a zone that is also a federation container (a remote). */
export function isRemoteName(value: string): value is RemoteName {
  return isZoneName(value) && ZONE_SPECS[value].isRemote;
}

/** Every remote of the topology (today: shop). */
export const REMOTE_NAMES: readonly RemoteName[] = ZONE_NAMES.filter(isRemoteName);

/**
 * The path of a remote's container entry under its origin. Next builds two bundles per app, so
 * a remote serves two entries: one for browsers (`static/chunks`) and one the host's Node server
 * evaluates (`static/ssr`).
 */
export function remoteEntryPath(runtime: 'browser' | 'server'): string {
  return `/_next/static/${runtime === 'server' ? 'ssr' : 'chunks'}/remoteEntry.js`;
}

/** Where a host finds a remote's container in the topology (its main release's origin). */
export function remoteEntryUrl(topology: Topology, remote: RemoteName, runtime: 'browser' | 'server'): string {
  return `${topology.zones[remote].origin}${remoteEntryPath(runtime)}`;
}

/** The zones that consume a remote, e.g. `hostsOf('shop')` → home and checkout. */
export function hostsOf(topology: Topology, remote: RemoteName): Zone[] {
  return ZONE_NAMES.map((n) => topology.zones[n]).filter((z) => z.consumes.includes(remote));
}

/** The topology of this process (server) or of this build (browser). */
export const topology: Topology = resolveTopology();

/**
 * The zones in the order to start them: remotes before the hosts that consume them. A host whose
 * first render finds shop down keeps rendering without shop's code until it restarts, so
 * starting shop first matters.
 */
export function startOrder(topology: Topology): Zone[] {
  const zones = ZONE_NAMES.map((n) => topology.zones[n]);
  return [...zones.filter((z) => z.isRemote), ...zones.filter((z) => !z.isRemote)];
}

/** The zone whose build this code runs in; throws outside a zone build. */
export function currentZone(): Zone {
  const name = builtZoneName();
  if (!name || !isZoneName(name)) {
    throw new Error(`This code runs outside a zone build (ZONE_NAME=${JSON.stringify(name)}).`);
  }
  return topology.zones[name];
}
