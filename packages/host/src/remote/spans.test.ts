import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RemoteLocation } from '@repo/releases';
import { createRenderSpans, remoteSpanAttributes, type RenderSpan } from './spans';

interface Recorded {
  readonly expose: string;
  ended: number;
  status: string | null;
  readonly attributes: Record<string, unknown>;
}

/** Records what the registry does with each span it starts. */
function recorder() {
  const started: Recorded[] = [];
  const start = (expose: string): RenderSpan => {
    const record: Recorded = { expose, ended: 0, status: null, attributes: {} };
    started.push(record);
    const span: RenderSpan = {
      end: () => {
        record.ended += 1;
      },
      setStatus: (status) => {
        record.status = status.message;
      },
      setAttribute: (key, value) => {
        record.attributes[key] = value;
      },
    };
    return span;
  };
  return { started, start };
}

describe('render spans', () => {
  it('starts one span per module and page view, however often React renders it', () => {
    const spans = createRenderSpans();
    const { started, start } = recorder();
    const view = {};
    spans.begin(view, './Header', start);
    spans.begin(view, './Header', start); // a replayed render
    spans.end(view, './Header');
    spans.begin(view, './Header', start); // a later render of the same page view
    spans.end(view, './Header');
    assert.deepEqual(
      started.map(({ expose, ended, status }) => ({ expose, ended, status })),
      [{ expose: './Header', ended: 1, status: null }],
    );
  });

  it('keeps page views and modules apart', () => {
    const spans = createRenderSpans();
    const { started, start } = recorder();
    const first = {};
    const second = {};
    spans.begin(first, './Header', start);
    spans.begin(first, './ProductPage', start);
    spans.begin(second, './Header', start);
    spans.end(first, './Header');
    assert.deepEqual(
      started.map(({ expose, ended }) => [expose, ended]),
      [
        ['./Header', 1],
        ['./ProductPage', 0],
        ['./Header', 0],
      ],
    );
  });

  it('ends a span that threw with status error, once, and never a span that ended', () => {
    const spans = createRenderSpans();
    const { started, start } = recorder();
    const view = {};
    spans.begin(view, './Header', start);
    spans.begin(view, './BrokenComponent', start);
    spans.end(view, './Header');
    spans.fail(view, './BrokenComponent', 'threw in the browser');
    spans.fail(view, './BrokenComponent', 'threw in the browser');
    spans.failOpen(view, 'ended with the response');
    assert.deepEqual(
      started.map(({ expose, ended, status, attributes }) => ({ expose, ended, status, error: attributes['mf.render.error'] })),
      [
        { expose: './Header', ended: 1, status: null, error: undefined },
        { expose: './BrokenComponent', ended: 1, status: 'internal_error', error: 'threw in the browser' },
      ],
    );
  });

  it('ends what a response left open with status error (a throw the server contained)', () => {
    const spans = createRenderSpans();
    const { started, start } = recorder();
    const view = {};
    spans.begin(view, './Header', start);
    spans.failOpen(view, 'threw on the server (ended with the response)');
    spans.end(view, './Header');
    assert.deepEqual(
      started.map(({ ended, status }) => ({ ended, status })),
      [{ ended: 1, status: 'internal_error' }],
    );
  });

  it('records nothing when there is no span to record (no active span to be a child of)', () => {
    const spans = createRenderSpans();
    const view = {};
    spans.begin(view, './Header', () => undefined);
    spans.end(view, './Header');
    spans.failOpen(view, 'ended with the response');
  });
});

describe('remote span attributes', () => {
  const location: RemoteLocation = { remote: 'shop', version: '1.1.0', origin: 'http://localhost:3001' };

  it("names the remote's owner and release, the remote and what is known of the module", () => {
    assert.deepEqual(remoteSpanAttributes(location, './Header', 'canary'), {
      owner: 'shop',
      release: 'shop@1.1.0',
      'sentry.release': 'shop@1.1.0',
      'mf.remote': 'shop',
      'mf.expose': './Header',
      'mf.rollout': 'canary',
    });
    assert.deepEqual(remoteSpanAttributes(location), {
      owner: 'shop',
      release: 'shop@1.1.0',
      'sentry.release': 'shop@1.1.0',
      'mf.remote': 'shop',
    });
  });
});
