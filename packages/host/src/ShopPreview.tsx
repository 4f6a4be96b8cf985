import Link from 'next/link';
import { useId } from 'react';
import { ErrorFallback } from './Contained';
import { RemoteSlot } from './remote/RemoteSlot';
import type { ShopExpose } from './remote/modules';

/** Shop's BrokenComponent while it still works, contained, with the way into the lab. */
export default function ShopPreview() {
  const titleId = useId();
  return (
    <section className="shop-preview" aria-labelledby={titleId}>
      <h2 id={titleId}>From shop&apos;s team</h2>
      <RemoteSlot expose="./BrokenComponent" props={{}} fallback={<ErrorFallback what="Shop's component" />} />
      <p className="shop-preview__lab">
        <Link href="/lab">Open the failure lab</Link> to break it on purpose.
      </p>
    </section>
  );
}

/** The remote modules a page showing ShopPreview renders (its `remoteModules`). */
export const SHOP_PREVIEW_MODULES: readonly ShopExpose[] = ['./BrokenComponent'];
