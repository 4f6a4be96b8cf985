/**
 * Sentry in a zone's Node server. Called from the zone's instrumentation.ts register(); the
 * same file re-exports `onRequestError` so Next reports request errors to it.
 */
import * as Sentry from '@sentry/nextjs';
import { resolveTopology } from '@repo/topology';
import { moduleMetadataIntegration } from '@sentry/core';
// @sentry/nextjs's server entry does not re-export nativeNodeFetchIntegration: it comes from the
// package it is built on, pinned to its version.
import { nativeNodeFetchIntegration } from '@sentry/node';
import { noteOwnedEvent } from './owner-sessions';
import { currentServerPageView, ownerSessionsIntegration, processedInRequest, serverPageViewOf } from './owner-sessions.server';
import { serverRenderErrorsIntegration } from './server-render-errors';
import { commonInitOptions, serverTracesSampleRate, zoneSentrySettings, zoneTransport, type ZoneSentrySettings } from './settings';
import { spanOwnershipIntegration } from './span-ownership.integration';

/**
 * Requests to the machinery around the app, not the app's work: the inbox (the local Sentry
 * receiver, which also serves the release registry and takes source-map uploads) and a registry
 * read over HTTP. They are polled in the background, outside any request, and in span streaming
 * mode Sentry makes every fetch without a parent a trace of its own: a registry URL read every
 * 250 ms would send four traces a second. Sentry leaves out requests to its own DSN the same way.
 */
export function isMachineryRequest(url: string, inboxOrigin: string, registry: string | undefined = process.env.FEDERATION_REGISTRY): boolean {
  if (url.startsWith(`${inboxOrigin}/`)) return true;
  return !!registry && /^https?:\/\//.test(registry) && url.split(/[?#]/)[0] === registry.split(/[?#]/)[0];
}

/** Envelopes in flight per project before the server's transport drops more. */
export const SERVER_TRANSPORT_BUFFER = 1_000;

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
      nativeNodeFetchIntegration({ ignoreOutgoingRequests: (url) => isMachineryRequest(url, resolveTopology().inbox.origin) }),
    ],
    // How many envelopes each project's transport keeps in flight before it drops more
    // (`queue_overflow`): Sentry's default is 64. With tracing, a page view sends up to three at
    // once (its spans for the zone and for shop, shop's session), and a burst of page views (200
    // new visitors in seconds, in the canary tests) overflowed it and lost release-health
    // sessions, which the guard decides on. Envelopes are small; a thousand is a few MiB at most.
    transportOptions: { bufferSize: SERVER_TRANSPORT_BUFFER },
    transport: zoneTransport(settings, makeNodeTransport),
  };
}

export function initZoneServer(): void {
  const settings = { ...zoneSentrySettings(), tracesSampleRate: serverTracesSampleRate() };
  Sentry.init(zoneServerOptions(settings, Sentry.makeNodeTransport));
}

export const onRequestError = Sentry.captureRequestError;
