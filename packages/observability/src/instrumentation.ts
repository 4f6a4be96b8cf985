/**
 * What a zone's instrumentation.ts re-exports besides its own register(). `next dev` compiles
 * that file for the edge runtime too, and the server setup imports Node-only packages
 * (@sentry/node), which the edge compile cannot bundle. So the setup is imported only inside the
 * Node branch, which Next's NEXT_RUNTIME define removes from the edge compile.
 */
import type { Instrumentation } from 'next';

/** Next reports a request's error here; Sentry's server SDK captures it (Node only). */
export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { onRequestError: capture } = await import('./server');
    await capture(...args);
  }
};
