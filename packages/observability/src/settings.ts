/**
 * What the Sentry setup of a zone needs to know, read once. The zone, its release and the
 * environment are stamped into each build by the config factory (`env`), so the browser bundle
 * and the server agree; DSNs come from the topology (SENTRY_DSN_<OWNER> or the local inbox).
 */
import { makeMultiplexedTransport, type BaseTransportOptions, type EventHint, type ErrorEvent, type Transport } from '@sentry/core';
import { currentZone, resolveTopology, type Owner } from '@repo/topology';
import { ownerMatcher } from './owner-sessions';
import { ownerTransport } from './owner-transport';
import { routeToOwner } from './ownership';

export interface ZoneSentrySettings {
  zone: Owner;
  release: string;
  environment: string;
  dsns: Readonly<Record<Owner, string>>;
  /** The share of page views traced (0..1). */
  tracesSampleRate: number;
}

export const TRACES_SAMPLE_RATE_ENV = 'SENTRY_TRACES_SAMPLE_RATE';

/**
 * SENTRY_TRACES_SAMPLE_RATE: a number from 0 to 1, every page view traced when unset. 0 still
 * gives every error the trace id of its page view (the spans are made but not sampled). A value
 * Sentry would not take is refused here, by name, rather than ignored by the SDK with tracing off.
 */
export function tracesSampleRateFrom(raw: string | undefined): number {
  const given = raw?.trim();
  if (given === undefined || given === '') return 1;
  const rate = Number(given);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`${TRACES_SAMPLE_RATE_ENV}=${JSON.stringify(raw)} is not a sample rate (a number from 0 to 1).`);
  }
  return rate;
}

/**
 * Whether a host's server sends owner sessions (release health per owner): on unless
 * SENTRY_OWNER_SESSIONS=0, which the benchmark uses to measure what they cost.
 */
export function ownerSessionsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SENTRY_OWNER_SESSIONS?.trim() !== '0';
}

/**
 * The server's rate, read from its environment when it starts. A whole-object read: a build
 * inlines `process.env.SENTRY_TRACES_SAMPLE_RATE` (the browser's copy, see zoneSentrySettings)
 * into the server bundle too, and the server must follow a restart, not need a rebuild. The
 * browser's rate only decides navigations: a page load follows the server's decision.
 */
export function serverTracesSampleRate(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return tracesSampleRateFrom(env[TRACES_SAMPLE_RATE_ENV]);
}

export function zoneSentrySettings(): ZoneSentrySettings {
  const zone = currentZone();
  return {
    zone: zone.owner,
    release: process.env.ZONE_RELEASE ?? `${zone.owner}@unknown`,
    environment: process.env.SENTRY_ENVIRONMENT || (process.env.NODE_ENV === 'production' ? 'production' : 'development'),
    // Resolved when Sentry starts: on the server that is run time, so a changed SENTRY_DSN_<OWNER>
    // needs a restart, not a rebuild; browser bundles carry the values of their build.
    dsns: resolveTopology().dsns,
    // Read by name (not process.env[name]): the browser build inlines only literal accesses.
    tracesSampleRate: tracesSampleRateFrom(process.env.SENTRY_TRACES_SAMPLE_RATE),
  };
}

/** What a runtime does with an event once routeToOwner has decided its owner. */
export type AfterRouting = (event: ErrorEvent, hint: EventHint) => ErrorEvent;

/**
 * The `Sentry.init` options every runtime of a zone shares; each adds its transport and what it
 * does after routing (the owner sessions of its page views).
 */
export function commonInitOptions(settings: ZoneSentrySettings, afterRouting: AfterRouting = (event) => event) {
  return {
    dsn: settings.dsns[settings.zone],
    release: settings.release,
    environment: settings.environment,
    initialScope: { tags: { zone: settings.zone } },
    tracesSampleRate: settings.tracesSampleRate,
    beforeSend: (event: ErrorEvent, hint: EventHint) => afterRouting(routeToOwner(event, settings, hint), hint),
  };
}

/**
 * The zone's transport, built on the runtime's own (fetch in a browser, http in Node): each
 * envelope goes to its owner's DSN (ownerMatcher), and a span envelope is first split into one
 * per owner (ownerTransport). `makeMultiplexedTransport` comes from @sentry/core, pinned to the
 * SDK's version: @sentry/nextjs's server entry does not re-export it.
 */
export function zoneTransport<O extends BaseTransportOptions>(
  settings: Pick<ZoneSentrySettings, 'zone' | 'dsns'>,
  makeRuntimeTransport: (options: O) => Transport,
): (options: O) => Transport {
  return ownerTransport(makeMultiplexedTransport(makeRuntimeTransport, ownerMatcher(settings)), settings.zone);
}
