/**
 * The inbox's configuration: the only module of this package that reads the environment.
 *
 * - Port: `topology.inbox.port` (9000, or `INBOX_PORT`, read by @repo/topology).
 * - `INBOX_DATA_DIR`: where events are stored; default `apps/inbox/.data` (git-ignored). A
 *   relative path is taken from the current directory.
 * - `INBOX_HOST`: the address to listen on; default `127.0.0.1`. DSNs and browsers say
 *   `localhost`; on this machine `localhost` resolves to 127.0.0.1 only (checked with
 *   `getent ahosts localhost` and Node's dns.lookup), and browsers and Node's fetch fall back from
 *   ::1 to 127.0.0.1 where `localhost` resolves to both, so loopback IPv4 serves them all.
 *   Set `INBOX_HOST=::1` (or `localhost`) on a machine where only ::1 works.
 * - `INBOX_READ_TOKEN`: when set, the read API, the event stream, the UI and the deploy console
 *   require `Authorization: Bearer <token>` (the UI and the stream also take `?token=`, the
 *   console's form a `token` field). Ingest never does. Listening on anything but loopback
 *   without one is said loudly at start (`exposureWarning`).
 * - `INBOX_UPLOAD_TOKEN`: the token source-map uploads (`sentry-cli sourcemaps upload`, the
 *   `/api/0/organizations/<org>/chunk-upload/` and `.../artifactbundle/assemble/` endpoints) must
 *   carry as `Authorization: Bearer <token>`; default the topology's fixed local token
 *   (`DEFAULT_INBOX_UPLOAD_TOKEN`, which `npm run sourcemaps:upload` sends too). It is always
 *   required, and never the read token. Listening beyond loopback with the default is said loudly
 *   at start, as it is in the repository for anyone to read.
 * - `INBOX_ALLOWED_ORIGINS`: comma-separated origins (`http://lab.test:4000`) whose pages may
 *   read the inbox across origins, besides the zones' own (from the topology); their host names
 *   are also names the inbox answers to (the Host check), e.g. `http://inbox:9000` to read it
 *   under a container's name.
 * - `INBOX_RATE_LIMIT`: `<events>/<seconds>`, e.g. `100/60`: at most that many events per project
 *   per window; off when unset.
 * - `INBOX_WEBHOOK_HOME`, `INBOX_WEBHOOK_SHOP`, `INBOX_WEBHOOK_CHECKOUT`: a Slack-style incoming
 *   webhook URL per team, called on a new issue and on a regression. Secrets: never logged whole.
 * - `FEDERATION_REGISTRY`: the release registry (@repo/releases), a file path or an http(s) URL,
 *   whose pointers the team view of a remote (shop) shows and moves; default
 *   `<repo>/.federation/registry.json`, as for the zones and the `releases` commands.
 * - `INBOX_REGISTRY_FILE`: the file the inbox serves as an HTTP registry
 *   (`/api/releases/registry.json`); default FEDERATION_REGISTRY when that is a file, else the
 *   repository's `.federation/registry.json`. `FEDERATION_REGISTRY_TOKEN`: what a PUT of it must
 *   carry (@repo/releases' local default when unset).
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REGISTRY_FILE, isRegistryUrl, registryLocation } from '@repo/releases/default-file';
import { registryToken } from '@repo/releases/store';
import { DEFAULT_INBOX_UPLOAD_TOKEN, ZONE_NAMES, inboxUploadToken, topology, type Owner } from '@repo/topology';
import { isLoopbackAddress } from './http/host-check.ts';
import { normalizeOrigin } from './http/origins.ts';

export interface RateLimit {
  /** Events accepted per project in one window. */
  readonly events: number;
  readonly windowSeconds: number;
}

export interface InboxConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly readToken: string | undefined;
  /** The token source-map uploads must carry (INBOX_UPLOAD_TOKEN, else the topology's default). */
  readonly uploadToken: string;
  readonly rateLimit: RateLimit | undefined;
  readonly webhooks: Readonly<Partial<Record<Owner, string>>>;
  /** The release registry: FEDERATION_REGISTRY (a file path or an http(s) URL), else the repository's file. */
  readonly registry: string;
  /** The file served at /api/releases/registry.json: INBOX_REGISTRY_FILE, else the registry when a file, else the repository's. */
  readonly registryFile: string;
  /** What a PUT of the served registry must carry (FEDERATION_REGISTRY_TOKEN, else the local default). */
  readonly registryToken: string;
  /** Origins whose pages may read the inbox: the zones' and INBOX_ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data', import.meta.url));
const DEFAULT_HOST = '127.0.0.1';

export const WEBHOOK_ENV: Readonly<Record<Owner, string>> = {
  home: 'INBOX_WEBHOOK_HOME',
  shop: 'INBOX_WEBHOOK_SHOP',
  checkout: 'INBOX_WEBHOOK_CHECKOUT',
};

/** The zones' own origins (`http://localhost:3000`, ...): their pages may show live events. */
export const ZONE_ORIGINS: readonly string[] = ZONE_NAMES.map((name) => topology.zones[name].origin);

/** `INBOX_ALLOWED_ORIGINS`, each checked and normalised (`http://a.test:4000/` → `http://a.test:4000`). */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    if (entry === '*') throw new Error('INBOX_ALLOWED_ORIGINS cannot be *: name the origins that may read the inbox.');
    try {
      return normalizeOrigin(entry);
    } catch {
      throw new Error(`INBOX_ALLOWED_ORIGINS: ${JSON.stringify(entry)} is not an http(s) origin such as http://lab.test:4000.`);
    }
  });
}

/**
 * What to say loudly at start when the inbox may be reached from other machines (it listens on
 * something other than loopback) and has no read token, or takes uploads with the default upload
 * token, which anyone can read in the repository. Undefined when neither.
 */
export function exposureWarning(config: Pick<InboxConfig, 'host' | 'readToken' | 'uploadToken'>): string | undefined {
  if (isLoopbackAddress(config.host)) return undefined;
  const warnings: string[] = [];
  if (!config.readToken) {
    warnings.push(
      `WARNING: listening on ${config.host}, not loopback, without INBOX_READ_TOKEN: anyone who can reach this ` +
        'machine can read every event through an allowed name. Set INBOX_READ_TOKEN, or INBOX_HOST=127.0.0.1.',
    );
  }
  if (config.uploadToken === DEFAULT_INBOX_UPLOAD_TOKEN) {
    warnings.push(
      `WARNING: listening on ${config.host}, not loopback, with the default upload token: anyone who can reach this ` +
        'machine can upload source maps, which decide what every frame shows. Set INBOX_UPLOAD_TOKEN (and give it to ' +
        'sentry-cli as SENTRY_AUTH_TOKEN), or INBOX_HOST=127.0.0.1.',
    );
  }
  return warnings.length === 0 ? undefined : warnings.join('\n');
}

/** `100/60` → 100 events per 60 s; undefined when unset; throws when unreadable. */
export function parseRateLimit(raw: string | undefined): RateLimit | undefined {
  const text = raw?.trim();
  if (!text || text === '0' || text === 'off') return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)\s*s?$/.exec(text);
  const events = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || events < 1 || windowSeconds < 1) {
    throw new Error(`INBOX_RATE_LIMIT=${JSON.stringify(raw)} is not <events>/<seconds> (e.g. 100/60).`);
  }
  return { events, windowSeconds };
}

function webhookUrl(owner: Owner, raw: string | undefined): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Do not echo the value: it is a secret.
    throw new Error(`${WEBHOOK_ENV[owner]} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${WEBHOOK_ENV[owner]} must be an http(s) URL.`);
  }
  return url.href;
}

export function readConfig(env: Env = process.env): InboxConfig {
  const dataDir = env.INBOX_DATA_DIR?.trim();
  const host = env.INBOX_HOST?.trim();
  const registry = registryLocation({ FEDERATION_REGISTRY: env.FEDERATION_REGISTRY });
  const servedFile = env.INBOX_REGISTRY_FILE?.trim();
  const webhooks: Partial<Record<Owner, string>> = {};
  for (const owner of ZONE_NAMES) {
    const url = webhookUrl(owner, env[WEBHOOK_ENV[owner]]);
    if (url) webhooks[owner] = url;
  }
  return {
    dataDir: dataDir ? resolve(dataDir) : DEFAULT_DATA_DIR,
    host: host || DEFAULT_HOST,
    port: topology.inbox.port,
    readToken: env.INBOX_READ_TOKEN?.trim() || undefined,
    uploadToken: inboxUploadToken(env),
    rateLimit: parseRateLimit(env.INBOX_RATE_LIMIT),
    webhooks,
    registry,
    registryFile: servedFile ? resolve(servedFile) : isRegistryUrl(registry) ? DEFAULT_REGISTRY_FILE : registry,
    registryToken: registryToken({ FEDERATION_REGISTRY_TOKEN: env.FEDERATION_REGISTRY_TOKEN }),
    allowedOrigins: [...new Set([...ZONE_ORIGINS, ...parseAllowedOrigins(env.INBOX_ALLOWED_ORIGINS)])],
  };
}
