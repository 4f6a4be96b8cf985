import Link from 'next/link';
import { ErrorFallback } from './Contained';
import { RemoteSlot } from './remote/RemoteSlot';
import type { ShopExpose } from './remote/modules';

/** Shop's BrokenComponent while it still works, contained, with the way into the lab. */
export default function ShopPreview() {
  return (
    <>
      <RemoteSlot expose="./BrokenComponent" props={{}} fallback={<ErrorFallback what="Shop's component" />} />
      <p>
        <Link href="/lab">Open the failure lab</Link> to break it on purpose.
      </p>
    </>
  );
}

/** The remote modules a page showing ShopPreview renders (its `remoteModules`). */
export const SHOP_PREVIEW_MODULES: readonly ShopExpose[] = ['./BrokenComponent'];
