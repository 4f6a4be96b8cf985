/**
 * Sentry in a zone's Node server. Called from the zone's instrumentation.ts register(); the
 * same file re-exports `onRequestError` so Next reports request errors to it.
 */
import * as Sentry from '@sentry/nextjs';
import { makeMultiplexedTransport, moduleMetadataIntegration } from '@sentry/core';
import { noteOwnedEvent, ownerMatcher } from './owner-sessions';
import { currentServerPageView, ownerSessionsIntegration, processedInRequest, serverPageViewOf } from './owner-sessions.server';
import { ownerTransport } from './owner-transport';
import { serverRenderErrorsIntegration } from './server-render-errors';
import { commonInitOptions, serverTracesSampleRate, zoneSentrySettings, type ZoneSentrySettings } from './settings';
import { spanOwnershipIntegration } from './span-ownership.integration';

/** The server's `Sentry.init` options, given the SDK's Node transport. */
export function zoneServerOptions(settings: ZoneSentrySettings, makeNodeTransport: typeof Sentry.makeNodeTransport) {
  return {
    ...commonInitOptions(settings, (event, hint) => {
      noteOwnedEvent(event, serverPageViewOf(event), hint);
      processedInRequest(event, hint);
      return event;
    }),
    integrations: [
      moduleMetadataIntegration(),
      serverRenderErrorsIntegration(),
      ownerSessionsIntegration(),
      spanOwnershipIntegration({ zone: settings.zone, release: settings.release, pageRemote: currentServerPageView }),
    ],
    // @sentry/nextjs's server entry does not re-export makeMultiplexedTransport; it comes from
    // @sentry/core, pinned to the same version. ownerTransport gives each owner its own spans.
    transport: ownerTransport(makeMultiplexedTransport(makeNodeTransport, ownerMatcher(settings)), settings.zone),
  };
}

export function initZoneServer(): void {
  const settings = { ...zoneSentrySettings(), tracesSampleRate: serverTracesSampleRate() };
  Sentry.init(zoneServerOptions(settings, Sentry.makeNodeTransport));
}

export const onRequestError = Sentry.captureRequestError;
