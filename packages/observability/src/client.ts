/**
 * Sentry in the browser, for a zone. Called once from the zone's instrumentation-client.ts;
 * shop's exposed modules never call Sentry.init: they run inside the host's Sentry.
 */
import * as Sentry from '@sentry/nextjs';
import { commonInitOptions, zoneSentrySettings } from './settings';

export function initZoneClient(): void {
  Sentry.init({
    ...commonInitOptions(zoneSentrySettings()),
    integrations: [Sentry.moduleMetadataIntegration()],
    transport: Sentry.makeMultiplexedTransport(Sentry.makeFetchTransport),
  });
}
