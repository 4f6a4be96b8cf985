/**
 * Spotlight's sidecar for the benchmark, started through its library entry (`setupSpotlight`)
 * rather than its CLI: the CLI's first import initialises Sentry's SDK with Spotlight's own DSN
 * (telemetry to sentry.io, every request traced), which a benchmark on a closed network must
 * neither send nor pay for. The sidecar itself (routes, buffer) is the same code.
 *
 *   tsx bench/spotlight-sidecar.ts <port>
 */

import { setupSpotlight } from '@spotlightjs/spotlight';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1) {
  console.error('usage: spotlight-sidecar.ts <port>');
  process.exit(2);
}
await setupSpotlight({ port, isStandalone: true });
console.log(`spotlight: listening on http://127.0.0.1:${port}`);
