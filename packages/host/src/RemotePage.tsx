import type { NextPageContext } from 'next';
import { ErrorFallback } from './Contained';
import { remoteLoader } from './remote/hostLoader';
import type { ShopModules } from './remote/modules';
import { RemoteSlot, type PropsOf } from './remote/RemoteSlot';
import type { HostPageContext } from './remote/state';

type PageExpose = './ProductListPage' | './ProductPage';

/**
 * A host route that renders one of shop's pages from the live release, with the page's own
 * getInitialProps. When shop is unavailable the route answers 503 with a fallback (the Header
 * above it has its own fallback), instead of a blank page or a hang.
 */
export function remotePage<E extends PageExpose>(expose: E, what: string) {
  type Props = PropsOf<E>;

  function RemotePage(props: Props) {
    // Shop's page is the page's main landmark; its fallback takes that place.
    const fallback = (
      <main className="store-page">
        <ErrorFallback what={what} />
      </main>
    );
    return <RemoteSlot expose={expose} props={props} fallback={fallback} />;
  }
  RemotePage.remoteModules = [expose] as const;
  RemotePage.getInitialProps = async (context: NextPageContext): Promise<Props> => {
    const { remote } = context as HostPageContext;
    const exposed =
      remote?.availability[expose] === 'up'
        ? remoteLoader.loadedExposed<ShopModules[E]>(remote.location, expose)
        : undefined;
    if (!exposed) {
      if (context.res) context.res.statusCode = 503;
      // Never rendered: the slot shows the fallback when the module is unavailable.
      return {} as Props;
    }
    const page = exposed.default as unknown as { getInitialProps?: (context: NextPageContext) => Props | Promise<Props> };
    return (await page.getInitialProps?.(context)) ?? ({} as Props);
  };
  return RemotePage;
}
