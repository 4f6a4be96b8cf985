/**
 * One trace across projects, in the shape of Sentry's "Retrieve a Trace" (the trace view's
 * endpoint, `OrganizationTraceEndpoint`; the older `/events-trace/` is not offered). Mounted at
 * `/api/0/organizations`, behind the read token like the rest of the read API:
 *
 *   GET /<org>/trace/<trace_id>/    the trace's roots (views.ts traceView); [] for a trace
 *                                   the inbox has nothing of; 400 for an id that is not 32 hex
 *                                   digits; 404 for another organization
 */

import { Hono } from 'hono';
import { INBOX_ORG } from '@repo/topology';
import type { IssueIndex } from '../grouping.ts';
import { refuse, send } from '../http/answer.ts';
import type { InboxEnv } from '../http/request.ts';
import { normalizeTraceId, traceOf } from '../spans/trace.ts';
import type { EventStore } from '../store.ts';
import { traceView } from '../views.ts';

export interface TraceApiContext {
  readonly store: EventStore;
  readonly issues: IssueIndex;
}

export function traceApiRoutes({ store, issues }: TraceApiContext): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();

  routes.get('/:org/trace/:traceId', (c) => {
    const { org, traceId: rawId } = c.req.param();
    if (org !== INBOX_ORG) {
      return send(c, refuse(404, `Organization "${org}" not found; the local organization is "${INBOX_ORG}".`));
    }
    const traceId = normalizeTraceId(rawId);
    if (traceId === undefined) return send(c, refuse(400, `Invalid trace id ${rawId}: give 32 hex digits.`));
    return send(c, { status: 200, body: traceView(traceOf(store, traceId), issues) });
  });

  return routes;
}
