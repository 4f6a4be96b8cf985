/**
 * A host page's request, on the server: who the visitor is, which release of shop they get, and
 * shop's part in the page view (its owner session, sent when the response ends). Server-only:
 * state.ts imports it in its server branch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { releaseName } from '@repo/releases';
import { topology, type RemoteName } from '@repo/topology';
import { beginServerPageView } from '@repo/observability/owner-sessions/server';
import type { OwnerPageView } from '@repo/observability/owner-sessions';
import { chooseReleaseFor, type ChosenRelease } from './location.server';
import { visitorOf } from './visitor.server';

export interface ServerPage extends ChosenRelease {
  /** Null without a response to end (no request: nothing to count). */
  readonly view: OwnerPageView | null;
  /**
   * Calls `callback` once the response has ended (sent, or its connection closed): what ends the
   * render spans a contained server-render throw left open, since React tells our code nothing
   * of such a throw. Never called without a response.
   */
  whenResponseEnds(callback: () => void): void;
}

const noResponse = (): void => {};

/**
 * A request renders the app twice when its page fails (the page, then the error page): one
 * visitor, one release and one page view for both.
 */
const pageOfRequest = new WeakMap<IncomingMessage, Promise<ServerPage>>();

export function beginServerPage(remote: RemoteName, request: IncomingMessage | undefined, response: ServerResponse | undefined): Promise<ServerPage> {
  if (!request || !response) return chooseReleaseFor(remote, null).then((chosen) => ({ ...chosen, view: null, whenResponseEnds: noResponse }));
  const begun = pageOfRequest.get(request);
  if (begun) return begun;
  const page = begin(remote, request, response);
  pageOfRequest.set(request, page);
  return page;
}

async function begin(remote: RemoteName, request: IncomingMessage, response: ServerResponse): Promise<ServerPage> {
  const visitor = visitorOf(request, response);
  const chosen = await chooseReleaseFor(remote, visitor);
  const view = beginServerPageView({
    owner: topology.zones[remote].owner,
    release: releaseName(chosen.location),
    rollout: chosen.rollout,
    // A canary may be served from another origin than the topology's: its requests are shop's too.
    origin: chosen.location.origin,
    visitor,
    response,
  });
  const whenResponseEnds = (callback: () => void): void => {
    if (response.writableFinished || response.destroyed) callback();
    else response.once('close', callback);
  };
  return { ...chosen, view, whenResponseEnds };
}
