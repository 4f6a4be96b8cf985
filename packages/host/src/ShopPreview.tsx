import Link from 'next/link';
import BrokenComponent from 'shop/BrokenComponent';
import { Contained, ErrorFallback } from './Contained';

/** Shop's BrokenComponent while it still works, contained, with the way into the lab. */
export default function ShopPreview() {
  return (
    <>
      <Contained fallback={<ErrorFallback what="Shop's component" />}>
        <BrokenComponent />
      </Contained>
      <p>
        <Link href="/lab">Open the failure lab</Link> to break it on purpose.
      </p>
    </>
  );
}
