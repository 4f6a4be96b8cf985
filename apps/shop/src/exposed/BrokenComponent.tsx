export interface BrokenComponentProps {
  /** Throw while rendering. Off by default, so the component can be shown before it breaks. */
  fail?: boolean;
}

export class BrokenComponentError extends Error {
  override name = 'BrokenComponentError';
}

/**
 * Shop's deliberately broken component, exposed as `shop/BrokenComponent`. It throws only when
 * told to, on whichever side renders it (server or browser), so each failure is deterministic.
 */
export default function BrokenComponent({ fail = false }: BrokenComponentProps) {
  if (fail) {
    const side = typeof window === 'undefined' ? 'server' : 'browser';
    throw new BrokenComponentError(`shop's BrokenComponent failed to render (${side})`);
  }
  return (
    <section data-owner="shop" data-testid="broken-component">
      Shop&apos;s BrokenComponent, rendering fine for now.
    </section>
  );
}
