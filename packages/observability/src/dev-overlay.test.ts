import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { runInThisContext } from 'node:vm';
import { defaultStackParser } from '@sentry/node';
import type { Owner } from '@repo/topology';
import {
  devOverlayPolicy,
  echoOwners,
  heardFromConsole,
  nextOverlayControl,
  ownerOfEcho,
  ownerOfStack,
  type FailedBoundaryTemplate,
  type OverlayControl,
} from './dev-overlay';

type Loader = (this: unknown, source: string) => void;
const ownerLoader = createRequire(import.meta.url)('./owner-loader.cjs') as Loader;

/** A module of `owner`'s build, stamped by the real owner-loader and evaluated at `url`. */
function loadModule(owner: Owner, url: string, source: string): unknown {
  let code = '';
  ownerLoader.call(
    { getOptions: () => ({ owner, release: `${owner}@1.0.0` }), callback: (_: unknown, out: string) => (code = out) },
    source,
  );
  return runInThisContext(code, { filename: url });
}

function thrownBy(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('it did not throw');
}

/** The overlay as the policy drives it: what it was told, in order. */
function recordingOverlay(): OverlayControl & { calls: string[] } {
  const calls: string[] = [];
  return { calls, open: () => calls.push('open'), close: () => calls.push('close') };
}

describe('ownerOfStack', () => {
  const shopRender = loadModule(
    'shop',
    'http://localhost:3001/_next/static/chunks/shop-broken.js',
    '(function BrokenComponent() { throw new Error("shop broke"); })',
  ) as () => void;

  it("names the owner whose build stamped the code that threw, from the module's metadata", () => {
    assert.equal(ownerOfStack(thrownBy(shopRender), defaultStackParser), 'shop');
  });

  it("names the zone's own code when the throw is there, below shop's frames", () => {
    const zoneCall = loadModule(
      'checkout',
      'http://localhost:3002/_next/static/chunks/checkout-widget.js',
      '(function OrderSummary(render) { render(); throw new Error("checkout broke"); })',
    ) as (render: () => void) => void;
    assert.equal(ownerOfStack(thrownBy(() => zoneCall(() => undefined)), defaultStackParser), 'checkout');
    // Shop's frame on top wins, as routeToOwner decides for the event.
    assert.equal(ownerOfStack(thrownBy(() => zoneCall(shopRender)), defaultStackParser), 'shop');
  });

  it('knows no owner for code no build stamped', () => {
    assert.equal(ownerOfStack(new Error('from nowhere'), defaultStackParser), undefined);
  });
});

describe('ownerOfEcho', () => {
  /** A failed boundary's template as the server's HTML has it, inside `region` (its owner attribute). */
  function template(attributes: Record<string, string>, regionOwner?: string): FailedBoundaryTemplate {
    return {
      getAttribute: (name) => attributes[name] ?? null,
      closest: (selector) => {
        assert.equal(selector, '[data-owned-region][data-owner]');
        return regionOwner === undefined ? null : { getAttribute: (name) => (name === 'data-owner' ? regionOwner : null) };
      },
    };
  }
  const serverStack = 'Error: shop broke on the server\n    at BrokenComponent (/srv/checkout/.next-dev/server/chunks/shop.js:3:9)';

  /** The echo as React's client builds it from the template: the message, and the server's stack. */
  function echoOf(message: string, stack: string): Error {
    const echo = new Error(message);
    echo.stack = stack;
    return echo;
  }

  it('names the owner of the region whose server HTML holds the failed boundary', () => {
    const echoes = echoOwners([template({ 'data-msg': 'shop broke on the server', 'data-stck': serverStack }, 'shop')]);
    assert.equal(ownerOfEcho(echoOf('shop broke on the server', serverStack), echoes), 'shop');
  });

  it("knows no owner for a boundary outside a remote's region, or an echo of another boundary", () => {
    const echoes = echoOwners([
      template({ 'data-msg': 'checkout broke', 'data-stck': 'Error: checkout broke\n    at Own (/srv/a.js:1:1)' }),
      template({ 'data-msg': 'x', 'data-stck': serverStack }, 'nobody'),
    ]);
    assert.equal(ownerOfEcho(echoOf('checkout broke', 'Error: checkout broke\n    at Own (/srv/a.js:1:1)'), echoes), undefined);
    assert.equal(ownerOfEcho(echoOf('x', serverStack), echoes), undefined);
    assert.equal(ownerOfEcho(echoOf('other', 'Error: other'), echoes), undefined);
  });

  it('matches by message when the server sent no stack (React gives the echo an empty one)', () => {
    const echoes = echoOwners([template({ 'data-msg': 'shop broke' }, 'shop')]);
    assert.equal(ownerOfEcho(echoOf('shop broke', ''), echoes), 'shop');
  });
});

describe('devOverlayPolicy in checkout', () => {
  const owners = new Map<Error, Owner>();
  const shopError = new Error('shop broke');
  const zoneError = new Error('checkout broke');
  owners.set(shopError, 'shop').set(zoneError, 'checkout');
  const policyWith = (overlay: OverlayControl) =>
    devOverlayPolicy({ zone: 'checkout', overlay, ownerOf: (error) => owners.get(error) });

  it("closes the overlay for shop's error: the page stays visible, the error stays in Next's list", () => {
    const overlay = recordingOverlay();
    policyWith(overlay).heard(shopError);
    assert.deepEqual(overlay.calls, ['close']);
  });

  it("leaves the overlay to Next for the zone's own error, or one of unknown owner", () => {
    const overlay = recordingOverlay();
    const policy = policyWith(overlay);
    policy.heard(zoneError);
    policy.heard(new Error('no frame of anyone'));
    assert.deepEqual(overlay.calls, []);
  });

  it("reopens the overlay for the zone's own error after shop's closed it", () => {
    const overlay = recordingOverlay();
    const policy = policyWith(overlay);
    policy.heard(shopError);
    policy.heard(zoneError);
    assert.deepEqual(overlay.calls, ['close', 'open']);
  });

  it("does not close the zone's own error with shop's that came after it", () => {
    const overlay = recordingOverlay();
    const policy = policyWith(overlay);
    policy.heard(zoneError);
    policy.heard(shopError);
    assert.deepEqual(overlay.calls, []);
  });

  it("keeps the overlay for shop's error when nothing of the page contained it (Next's page boundary caught it)", () => {
    const overlay = recordingOverlay();
    policyWith(overlay).heard(shopError, true);
    assert.deepEqual(overlay.calls, []);
  });

  it('ignores what Next shows nothing for: thrown values that are not errors', () => {
    const overlay = recordingOverlay();
    const policy = policyWith(overlay);
    policy.heard('a string');
    policy.heard(undefined);
    assert.deepEqual(overlay.calls, []);
  });
});

describe('heardFromConsole', () => {
  // The arguments of React's default report of a caught error (react-dom 19, development).
  const caught = (error: Error, boundary: string) => [
    '%o\n\n%s\n\n%s\n',
    error,
    'The above error occurred in the <BrokenComponent> component.',
    `React will try to recreate this component tree from scratch using the error boundary you provided, ${boundary}.`,
  ];

  it('reads the error where Next reads it, and whether a boundary of the page contained it', () => {
    const error = new Error('shop broke');
    assert.deepEqual(heardFromConsole(caught(error, 'ErrorBoundary')), { thrown: error, pageGone: false });
    assert.deepEqual(heardFromConsole(caught(error, 'PagesDevOverlayErrorBoundary')), { thrown: error, pageGone: true });
    assert.deepEqual(heardFromConsole(['a line']), { thrown: undefined, pageGone: false });
  });
});

describe('nextOverlayControl', () => {
  it("finds the open and close of the installed Next's dev overlay (its internals: this fails first on an upgrade that moves them)", async () => {
    const control = nextOverlayControl(await import('next/dist/compiled/next-devtools'));
    assert.ok(control);
    // Before the overlay is mounted, Next queues what it is told.
    control.close();
    control.open();
  });

  it('gives nothing for a module without them', () => {
    assert.equal(nextOverlayControl({}), undefined);
    assert.equal(nextOverlayControl({ dispatcher: { closeErrorOverlay: () => undefined } }), undefined);
  });
});
