/**
 * The guard's configuration: the only module of this package that reads the environment.
 *
 * - `GUARD_INTERVAL_MS`: how often it reads the registry and each canary's health; default 500.
 *   Against real Sentry give it seconds (its API is rate limited, and session counts reach it
 *   through an ingestion pipeline anyway), e.g. 10000.
 * - `GUARD_WINDOW_S`: the sliding window, in seconds; default 300. Both releases are counted
 *   from `max(canary start, now − window)` to now.
 * - `GUARD_MIN_SESSIONS` (default 10), `GUARD_MIN_FAILED` (default 3): the rule's minimums
 *   (rule.ts).
 * - `FEDERATION_REGISTRY`: the registry (a file or an http(s) URL), as for every writer.
 * - Health, the same variables the source-map upload reads, so that pointed at real Sentry it
 *   decides on the same figures: `SENTRY_URL` (default the local inbox), `SENTRY_ORG` (default
 *   `local`), `SENTRY_AUTH_TOKEN` (default INBOX_READ_TOKEN; none when neither is set),
 *   `SENTRY_PROJECT_<OWNER>` (default the owner's name, the inbox's project slug).
 * - `INBOX_WEBHOOK_<OWNER>`: the owner's Slack-style webhook, told of every rollback. A secret:
 *   never logged whole, nor echoed in an error.
 */
import { registryLocation } from '@repo/releases/store';
import { INBOX_ORG, ZONE_NAMES, resolveTopology, type Env, type Owner } from '@repo/topology';
import { DEFAULT_RULE, type RuleOptions } from './rule.ts';

export interface GuardConfig {
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly rule: RuleOptions;
  /** The registry's location: a file path or an http(s) URL. */
  readonly registry: string;
  readonly health: HealthSource;
  readonly webhooks: Readonly<Partial<Record<Owner, string>>>;
}

/** Where health is read: a Sentry (or the inbox) web API. */
export interface HealthSource {
  /** The API's origin (and path prefix, if any), without a trailing slash. */
  readonly url: string;
  readonly org: string;
  readonly token: string | undefined;
  /** Each owner's project slug. */
  readonly projects: Readonly<Record<Owner, string>>;
}

export const DEFAULT_INTERVAL_MS = 500;
export const DEFAULT_WINDOW_S = 300;

/** `SENTRY_PROJECT_SHOP`, `INBOX_WEBHOOK_SHOP`, …: the per-owner variable of a family. */
export function ownerVariable(prefix: 'SENTRY_PROJECT_' | 'INBOX_WEBHOOK_', owner: Owner): string {
  return `${prefix}${owner.toUpperCase()}`;
}

function given(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Env, name: string, fallback: number, minimum: number): number {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number of at least ${minimum}.`);
  }
  return value;
}

function httpUrl(env: Env, name: string, fallback: string, secret: boolean): string {
  const raw = given(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name}${secret ? '' : `=${JSON.stringify(raw)}`} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL.`);
  return url.href;
}

export function readConfig(env: Env = process.env): GuardConfig {
  const webhooks: Partial<Record<Owner, string>> = {};
  for (const owner of ZONE_NAMES) {
    const name = ownerVariable('INBOX_WEBHOOK_', owner);
    if (given(env, name) !== undefined) webhooks[owner] = httpUrl(env, name, '', true);
  }
  const projects = Object.fromEntries(
    ZONE_NAMES.map((owner) => [owner, given(env, ownerVariable('SENTRY_PROJECT_', owner)) ?? owner]),
  ) as Record<Owner, string>;
  return {
    intervalMs: wholeNumber(env, 'GUARD_INTERVAL_MS', DEFAULT_INTERVAL_MS, 10),
    windowMs: wholeNumber(env, 'GUARD_WINDOW_S', DEFAULT_WINDOW_S, 1) * 1000,
    rule: {
      minSessions: wholeNumber(env, 'GUARD_MIN_SESSIONS', DEFAULT_RULE.minSessions, 1),
      minFailed: wholeNumber(env, 'GUARD_MIN_FAILED', DEFAULT_RULE.minFailed, 1),
    },
    registry: registryLocation({ FEDERATION_REGISTRY: env.FEDERATION_REGISTRY }),
    health: {
      url: httpUrl(env, 'SENTRY_URL', resolveTopology(env).inbox.origin, false).replace(/\/+$/, ''),
      org: given(env, 'SENTRY_ORG') ?? INBOX_ORG,
      token: given(env, 'SENTRY_AUTH_TOKEN') ?? given(env, 'INBOX_READ_TOKEN'),
      projects,
    },
    webhooks,
  };
}
