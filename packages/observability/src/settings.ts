/**
 * What the Sentry setup of a zone needs to know, read once. The zone, its release and the
 * environment are stamped into each build by the config factory (`env`), so the browser bundle
 * and the server agree; DSNs come from the topology (SENTRY_DSN_<OWNER> or the local inbox).
 */
import type { EventHint, ErrorEvent } from '@sentry/core';
import { currentZone, resolveTopology, type Owner } from '@repo/topology';
import { routeToOwner } from './ownership';

export interface ZoneSentrySettings {
  zone: Owner;
  release: string;
  environment: string;
  dsns: Readonly<Record<Owner, string>>;
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
  };
}

/** The `Sentry.init` options every runtime of a zone shares; each adds its transport. */
export function commonInitOptions(settings: ZoneSentrySettings) {
  return {
    dsn: settings.dsns[settings.zone],
    release: settings.release,
    environment: settings.environment,
    initialScope: { tags: { zone: settings.zone } },
    tracesSampleRate: 0,
    beforeSend: (event: ErrorEvent, hint: EventHint) => routeToOwner(event, settings, hint),
  };
}
