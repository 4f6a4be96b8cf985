export type BreakOn = 'render' | 'click' | 'async';

export interface BrokenComponentProps {
  /**
   * How to fail: while rendering (on whichever side renders it), in a click handler, or with a
   * promise nobody handles. Unset, it works, so it can be shown before it breaks.
   */
  breakOn?: BreakOn;
}

export class BrokenComponentError extends Error {
  override name = 'BrokenComponentError';
}

/** Pretends to ask the stock service, which is down. Nobody awaits it: the rejection goes unhandled. */
async function checkStock(sku: string): Promise<number> {
  await Promise.resolve();
  throw new BrokenComponentError(`shop's stock check for ${sku} rejected and nobody handled it`);
}

/**
 * Shop's deliberately broken component, exposed as `shop/BrokenComponent`. Every failure is
 * deterministic and has its own message, so an owner can tell them apart in the inbox.
 */
export default function BrokenComponent({ breakOn }: BrokenComponentProps) {
  if (breakOn === 'render') {
    const side = typeof window === 'undefined' ? 'server' : 'browser';
    throw new BrokenComponentError(`shop's BrokenComponent failed to render (${side})`);
  }
  return (
    <section data-owner="shop" data-testid="broken-component" className="shop-widget" aria-label="Shop's component">
      <p className="shop-widget__eyebrow">Shop&apos;s component</p>
      <p className="shop-widget__text">Shop&apos;s BrokenComponent, rendering fine for now.</p>
      {breakOn === 'click' && (
        <button
          type="button"
          className="button"
          data-testid="trigger"
          onClick={() => {
            throw new BrokenComponentError("shop's add-to-cart click handler failed");
          }}
        >
          Add to cart (shop)
        </button>
      )}
      {breakOn === 'async' && (
        <button
          type="button"
          className="button"
          data-testid="trigger"
          onClick={() => {
            void checkStock('mug');
          }}
        >
          Check stock (shop)
        </button>
      )}
    </section>
  );
}
