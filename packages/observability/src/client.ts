/**
 * Sentry in the browser, for a zone. Called once from the zone's instrumentation-client.ts;
 * shop's exposed modules never call Sentry.init: they run inside the host's Sentry.
 */
import * as Sentry from '@sentry/nextjs';
import { nextOverlayControl, watchDevOverlay } from './dev-overlay';
import { noteOwnedEvent } from './owner-sessions';
import { browserPageViewOf } from './owner-sessions.client';
import { commonInitOptions, zoneSentrySettings, zoneTransport } from './settings';
import { spanOwnershipIntegration } from './span-ownership.integration';

/**
 * React's report, in the browser, that the server could not finish a Suspense boundary (#419 in
 * production builds): the browser's echo of a server render error. The server already reported
 * the error itself, with its stack and so to its owner (server-render-errors.ts); the echo has
 * only React's frames, so it would land, a second time, with the team whose page it was.
 */
export const SERVER_BOUNDARY_ECHOES = [
  /Minified React error #419\b/,
  /The server could not finish this Suspense boundary/,
];

export function initZoneClient(): void {
  const settings = zoneSentrySettings();
  Sentry.init({
    ...commonInitOptions(settings, (event, hint) => noteOwnedEvent(event, browserPageViewOf(), hint)),
    ignoreErrors: SERVER_BOUNDARY_ECHOES,
    integrations: [
      Sentry.moduleMetadataIntegration(),
      spanOwnershipIntegration({ zone: settings.zone, release: settings.release, pageRemote: browserPageViewOf }),
    ],
    // Span streaming sends through the client's transport too: each owner's spans to its project.
    transport: zoneTransport(settings, Sentry.makeFetchTransport),
  });
  // Under next dev, a remote's failure that the page contains does not cover the page with Next's
  // overlay (dev-overlay.ts). Next's dev client already holds the overlay's module, so the import
  // loads nothing; a production build drops the branch, and the module with it.
  const parser = Sentry.getClient()?.getOptions().stackParser;
  if (process.env.NODE_ENV === 'development' && parser) {
    void import('next/dist/compiled/next-devtools').then((devtools) => {
      const overlay = nextOverlayControl(devtools);
      if (overlay) watchDevOverlay({ zone: settings.zone, parser, overlay });
    });
  }
}
