/**
 * Helpers for the trace tests (not a test file itself): spans made by the real SDK. A
 * ServerRuntimeClient of @sentry/core (the client @sentry/node and @sentry/nextjs build on) per
 * project, its DSN the running inbox, its transport a plain fetch of the envelope the SDK made:
 * span streaming (`span` items, span v2) by default, `transaction` items with
 * `traceLifecycle: 'static'`. What the inbox receives is byte for byte what the SDK sends.
 */

import assert from 'node:assert/strict';
import {
  type Span,
  captureException,
  continueTrace,
  createStackParser,
  createTransport,
  spanToTraceHeader,
  startNewTrace,
  startSpan,
  withScope,
} from '@sentry/core';
import { ServerRuntimeClient } from '@sentry/core/server';
import { INBOX_ORG } from '@repo/topology';
import { CHECKOUT, type Event, type Running, SHOP, getJson } from '../testing.ts';

/** A project's SDK: a client that sends to the inbox, and the statuses the inbox answered. */
export interface Sdk {
  readonly client: ServerRuntimeClient;
  readonly statuses: number[];
  /** Runs `callback` with this SDK as the current client (its spans and errors go to its project). */
  run<T>(callback: () => T): T;
  /** Sends everything buffered (spans wait for their segment otherwise) and checks every answer was 200. */
  flush(): Promise<void>;
}

export function sdk(
  run: Running,
  project: { readonly id: number; readonly publicKey: string },
  options: { readonly release: string; readonly traceLifecycle?: 'stream' | 'static' },
): Sdk {
  const statuses: number[] = [];
  const port = new URL(run.url).port;
  const client = new ServerRuntimeClient({
    dsn: `http://${project.publicKey}@127.0.0.1:${port}/${project.id}`,
    release: options.release,
    environment: 'test',
    tracesSampleRate: 1,
    traceLifecycle: options.traceLifecycle ?? 'stream',
    integrations: [],
    stackParser: createStackParser(),
    transport: (transportOptions) =>
      createTransport(transportOptions, async (request) => {
        const response = await fetch(transportOptions.url, { method: 'POST', body: request.body });
        statuses.push(response.status);
        return { statusCode: response.status };
      }),
  });
  client.init();
  return {
    client,
    statuses,
    run: (callback) =>
      withScope((scope) => {
        scope.setClient(client);
        return callback();
      }),
    async flush() {
      assert.ok(await client.flush(5000), 'the SDK flushed');
      assert.ok(statuses.length > 0, 'the SDK sent something');
      assert.deepEqual(
        statuses.filter((status) => status !== 200),
        [],
      );
    },
  };
}

/**
 * Runs `callback` in `sdk` as the continuation of `parent`'s trace, the way a server continues an
 * incoming `sentry-trace` header: its first span's parent is `parent`.
 */
export function continueFrom<T>(target: Sdk, parent: Span, callback: () => T): T {
  return target.run(() => continueTrace({ sentryTrace: spanToTraceHeader(parent), baggage: undefined }, callback));
}

export interface PageView {
  readonly traceId: string;
  readonly errorId: string;
}

/**
 * A page view of checkout that renders shop's Header: checkout's SDK sends the request and its
 * render, shop's SDK continues the trace under checkout's render span (as the owner's project
 * receives it), and shop's code throws inside its own fetch span.
 */
export async function pageView(run: Running): Promise<PageView> {
  const checkout = sdk(run, CHECKOUT, { release: 'checkout@1.0.0' });
  const shop = sdk(run, SHOP, { release: 'shop@1.1.0' });
  let errorId = '';
  const traceId = checkout.run(() =>
    startNewTrace(() =>
      startSpan({ name: 'GET /cart', op: 'http.server' }, (root) => {
        startSpan({ name: 'render /cart', op: 'ui.render' }, (render: Span) =>
          continueFrom(shop, render, () =>
            startSpan(
              { name: 'mf.render shop/Header', op: 'ui.render', attributes: { owner: 'shop', release: 'shop@1.1.0', 'mf.remote': 'shop' } },
              () =>
                startSpan({ name: 'fetch prices', op: 'http.client', attributes: { owner: 'shop', release: 'shop@1.1.0' } }, () => {
                  errorId = captureException(new TypeError('prices unavailable'));
                }),
            ),
          ),
        );
        return root.spanContext().traceId;
      }),
    ),
  );
  await Promise.all([checkout.flush(), shop.flush()]);
  return { traceId, errorId };
}

export function traceUrl(run: Running, traceId: string, org = INBOX_ORG): string {
  return `${run.url}/api/0/organizations/${org}/trace/${traceId}/`;
}

export type TraceNode = Event & { readonly children?: TraceNode[]; readonly errors?: TraceNode[] };

export async function readTrace(run: Running, traceId: string, headers: Record<string, string> = {}): Promise<TraceNode[]> {
  const { status, body } = await getJson(traceUrl(run, traceId), headers);
  assert.equal(status, 200, JSON.stringify(body));
  assert.ok(Array.isArray(body));
  return body as TraceNode[];
}

/** Every node of a trace, depth first, with its depth. */
export function flatten(nodes: readonly TraceNode[], depth = 0): { node: TraceNode; depth: number }[] {
  return nodes.flatMap((node) => [
    { node, depth },
    ...flatten(node.errors ?? [], depth + 1),
    ...flatten(node.children ?? [], depth + 1),
  ]);
}
