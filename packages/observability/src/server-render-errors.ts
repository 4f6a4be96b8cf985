/**
 * Reports the errors React recovers from while rendering on the server.
 *
 * When shop's component throws during a server render inside a <Suspense> boundary, React sends
 * the fallback, the page answers 200, and the error is *not* a request error: Next's
 * `onRequestError` never hears of it. Next's pages renderer calls React's
 * `renderToReadableStream` without an `onError`, so React's only report is its default one:
 * `console.error(error)`. This integration listens there, on the server only, and captures
 * exactly that shape: one argument, an Error. Libraries' own log lines (`console.error('flush
 * error:', e)` from nextjs-mf, Next's `⨯` request-error lines) have other shapes and are left to
 * the hooks that own them. An error that Next also
 * reports through `onRequestError` is the same exception twice in a row, which Sentry's dedupe
 * integration drops, so it is still sent once.
 */
import { addConsoleInstrumentationHandler, captureException, defineIntegration, getClient } from '@sentry/core';

export const serverRenderErrorsIntegration = defineIntegration(() => ({
  name: 'ServerRenderErrors',
  setup(client) {
    addConsoleInstrumentationHandler(({ args, level }) => {
      if (level !== 'error' || getClient() !== client) return;
      const [error] = args;
      if (args.length !== 1 || !(error instanceof Error)) return;
      captureException(error, { mechanism: { handled: true, type: 'auto.zone.server_render' } });
    });
  },
}));
