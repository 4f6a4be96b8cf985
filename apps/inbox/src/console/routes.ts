/**
 * The deploy console: moving a remote's releases from the inbox, as `npm run rollback`,
 * `canary` and `promote` do from a terminal, and serving the release registry over HTTP. The
 * inbox mounts its routes at `/api/releases` (after its Host check) and shows its panel in a
 * remote's team view; the receiver itself (ingest, store, read) knows nothing of releases.
 *
 *   GET|HEAD /api/releases/registry.json           the registry, for hosts, commands and the guard;
 *   PUT      /api/releases/registry.json             writers with the registry token (registry-route.ts)
 *   POST     /api/releases/<remote>/live             make a release live, ending any canary
 *   POST     /api/releases/<remote>/canary           start or change a canary
 *   POST     /api/releases/<remote>/promote          make the canary live
 *   POST     /api/releases/<remote>/canary/end       end the canary
 *                                                    (these four: release-pointer.ts, from the
 *                                                    inbox's own pages only, same-origin.ts; a
 *                                                    form's refusal is a page with a link back)
 *   OPTIONS  /api/releases/...                       no CORS granted: 403 from another origin, else 204
 *   other methods on those paths                     405
 *   anything else under /api/releases/               404
 */

import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { registryToken as defaultRegistryToken, openRegistryStore, probeRelease } from '@repo/releases/store';
import { type Owner, isRemoteName } from '@repo/topology';
import { pathOf, refuse, send, wrongMethod } from '../http/answer.ts';
import { bodyLimit } from '../http/body-limit.ts';
import type { ReadAuth } from '../http/read-token.ts';
import { isObject } from '../json.ts';
import { HTML_HEADERS } from '../routes/ui.ts';
import { type InboxEnv, header } from '../http/request.ts';
import type { ReleaseHealth } from '../sessions/health.ts';
import type { Html } from '../ui/html.ts';
import { registryRoutes } from './registry-route.ts';
import { MAX_RELEASE_BODY_BYTES, type PointerAction, answerPointerRequest } from './release-pointer.ts';
import { refusalPage, releasesSection } from './releases-panel.ts';
import { sameOriginOnly } from './same-origin.ts';

export interface ConsoleOptions {
  /** The release registry the panel shows and the endpoints move: a file path or an http(s) URL; registryFile by default. */
  readonly registry?: string;
  /** The file `GET|PUT /api/releases/registry.json` serves (INBOX_REGISTRY_FILE, else the registry when it is a file). */
  readonly registryFile: string;
  /** The token a PUT of the registry must carry; registryToken() of @repo/releases/store by default. */
  readonly registryToken?: string;
  /** Release health of an owner's project (sessions per release), for the panel. */
  readonly health: (owner: Owner) => readonly ReleaseHealth[];
  /** The inbox's read token: a move needs it when set. */
  readonly auth: ReadAuth;
  /** The inbox's own origins (known once it listens). */
  readonly ownOrigins: () => readonly string[];
}

export interface DeployConsole {
  /** To mount at `/api/releases`. */
  readonly routes: Hono<InboxEnv>;
  /** The Releases panel for a team's view: a remote's releases, nothing for other teams. */
  panel(owner: Owner, token: string | undefined): Promise<Html | ''>;
}

/** The endpoints that move pointers, by path under `/<remote>`. */
const ACTIONS: readonly (readonly [string, PointerAction])[] = [
  ['/live', 'live'],
  ['/canary', 'canary'],
  ['/promote', 'promote'],
  ['/canary/end', 'end'],
];

export function createConsole(options: ConsoleOptions): DeployConsole {
  const { auth, ownOrigins, health } = options;
  const store = openRegistryStore(options.registry ?? options.registryFile);
  const routes = new Hono<InboxEnv>();
  const fromOwnPages = sameOriginOnly(ownOrigins);

  // Before the own-pages rule: hosts and tools on other machines read and write it.
  routes.route('/', registryRoutes({ file: options.registryFile, token: options.registryToken ?? defaultRegistryToken() }));

  routes.options('*', fromOwnPages, (c) => c.body(null, 204, { Allow: 'POST, OPTIONS' }));

  const readBody = bodyLimit({ maxRawBytes: MAX_RELEASE_BODY_BYTES, maxDecodedBytes: MAX_RELEASE_BODY_BYTES });
  for (const [suffix, action] of ACTIONS) {
    routes.post(`/:remote${suffix}`, fromOwnPages, readBody, async (c) => {
      const answer = await answerPointerRequest(
        action,
        {
          remote: c.req.param('remote'),
          contentType: header(c, 'content-type'),
          authorization: header(c, 'authorization'),
          body: c.get('body'),
        },
        { store, auth, probe: probeRelease },
      );
      if ('location' in answer) return c.body(null, 303, { Location: answer.location, 'Cache-Control': 'no-store' });
      if (answer.back !== undefined) {
        const detail = isObject(answer.body) && typeof answer.body.detail === 'string' ? answer.body.detail : 'Refused.';
        return c.body(refusalPage(detail, answer.back), answer.status as ContentfulStatusCode, { ...HTML_HEADERS, ...answer.headers });
      }
      return send(c, answer);
    });
    routes.all(`/:remote${suffix}`, (c) => wrongMethod(c, 'POST'));
  }

  routes.all('*', (c) =>
    send(
      c,
      refuse(
        404,
        `Nothing at ${pathOf(c)}; POST /api/releases/<remote>/live, /canary, /promote or /canary/end moves a pointer, ` +
          'GET /api/releases/registry.json reads the registry.',
      ),
    ),
  );

  return {
    routes,
    panel: async (owner, token) => (isRemoteName(owner) ? releasesSection(owner, { store, health: health(owner), token }) : ''),
  };
}
