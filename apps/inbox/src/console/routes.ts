/**
 * The deploy console: moving a remote's live release from the inbox, as `npm run rollback` does
 * from a terminal. The inbox mounts its routes at `/api/releases` and shows its panel in a
 * remote's team view; the receiver itself (ingest, store, read) knows nothing of releases.
 *
 *   POST    /api/releases/<remote>/live    make a release live (release-pointer.ts), from the
 *                                          inbox's own pages only (same-origin.ts)
 *   OPTIONS /api/releases/...              no CORS granted: 403 from another origin, else 204
 *   other methods on .../<remote>/live     405
 *   anything else under /api/releases/     404
 */

import { Hono } from 'hono';
import { type Owner, isRemoteName } from '@repo/topology';
import { pathOf, refuse, send, wrongMethod } from '../http/answer.ts';
import { bodyLimit } from '../http/body-limit.ts';
import type { ReadAuth } from '../http/read-token.ts';
import { type InboxEnv, header } from '../http/request.ts';
import type { Html } from '../ui/html.ts';
import { MAX_RELEASE_BODY_BYTES, moveLivePointer } from './release-pointer.ts';
import { releasesSection } from './releases-panel.ts';
import { sameOriginOnly } from './same-origin.ts';

export interface ConsoleOptions {
  /** The release registry (@repo/releases) the panel shows and the endpoint moves. */
  readonly registryFile: string;
  /** The inbox's read token: a move needs it when set. */
  readonly auth: ReadAuth;
  /** The inbox's own origins (known once it listens). */
  readonly ownOrigins: () => readonly string[];
}

export interface DeployConsole {
  /** To mount at `/api/releases`. */
  readonly routes: Hono<InboxEnv>;
  /** The Releases panel for a team's view: a remote's releases, nothing for other teams. */
  panel(owner: Owner, token: string | undefined): Html | '';
}

export function createConsole({ registryFile, auth, ownOrigins }: ConsoleOptions): DeployConsole {
  const routes = new Hono<InboxEnv>();
  const fromOwnPages = sameOriginOnly(ownOrigins);

  routes.options('*', fromOwnPages, (c) => c.body(null, 204, { Allow: 'POST, OPTIONS' }));

  routes.post(
    '/:remote/live',
    fromOwnPages,
    bodyLimit({ maxRawBytes: MAX_RELEASE_BODY_BYTES, maxDecodedBytes: MAX_RELEASE_BODY_BYTES }),
    (c) => {
      const answer = moveLivePointer(
        {
          remote: c.req.param('remote'),
          contentType: header(c, 'content-type'),
          authorization: header(c, 'authorization'),
          body: c.get('body'),
        },
        { registryFile, auth },
      );
      if ('location' in answer) return c.body(null, 303, { Location: answer.location, 'Cache-Control': 'no-store' });
      return send(c, answer);
    },
  );

  routes.all('/:remote/live', (c) => wrongMethod(c, 'POST'));

  routes.all('*', (c) =>
    send(c, refuse(404, `Nothing at ${pathOf(c)}; POST /api/releases/<remote>/live moves a live pointer.`)),
  );

  return {
    routes,
    panel: (owner, token) => (isRemoteName(owner) ? releasesSection(owner, registryFile, token) : ''),
  };
}
