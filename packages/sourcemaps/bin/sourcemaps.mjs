#!/usr/bin/env node
/**
 * `sourcemaps upload [--wait-for-inbox <seconds>] [<build dir>...]` (the root's
 * `npm run sourcemaps:upload`), run through tsx so the package stays TypeScript:
 *
 * - finds every production build of a zone that recorded its release (`apps/<zone>/.next`,
 *   `apps/shop/.releases/<version>`; each build writes `sourcemaps/release.json`), or the build
 *   directories given;
 * - runs `sentry-cli sourcemaps upload --org <org> --release <that build's release> --project …`
 *   over the build's server output and its maps taken out of `static/`, with one `--project` for
 *   the zone's own project and one for every project that can receive events holding its frames
 *   (shop's maps → shop, home, checkout; home's → home, shop; checkout's → checkout, shop);
 * - to the local inbox by default (its origin from the topology, org `local`, INBOX_UPLOAD_TOKEN
 *   or the local default token); with SENTRY_URL, to that Sentry, which then needs SENTRY_ORG,
 *   SENTRY_AUTH_TOKEN and SENTRY_PROJECT_HOME / _SHOP / _CHECKOUT (their project slugs);
 * - prints one line per build (release, projects, maps); `--wait-for-inbox 60` first waits up to
 *   60 s for the local inbox to answer.
 */
import { tsImport } from 'tsx/esm/api';

await tsImport('../src/cli.ts', import.meta.url);
