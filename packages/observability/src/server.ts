/**
 * Sentry in a zone's Node server. Called from the zone's instrumentation.ts register(); the
 * same file re-exports `onRequestError` so Next reports request errors to it.
 */
import * as Sentry from '@sentry/nextjs';
import { makeMultiplexedTransport, moduleMetadataIntegration } from '@sentry/core';
import { serverRenderErrorsIntegration } from './server-render-errors';
import { commonInitOptions, zoneSentrySettings } from './settings';

export function initZoneServer(): void {
  Sentry.init({
    ...commonInitOptions(zoneSentrySettings()),
    integrations: [moduleMetadataIntegration(), serverRenderErrorsIntegration()],
    // @sentry/nextjs's server entry does not re-export these two; they come from @sentry/core,
    // pinned to the same version.
    transport: makeMultiplexedTransport(Sentry.makeNodeTransport),
  });
}

export const onRequestError = Sentry.captureRequestError;
