/**
 * Renders a module of the live shop release, or a fallback, the same way on the server and in
 * the browser, so hydration always matches.
 *
 * The server decides: the host's getInitialProps loads every module the page declares (bounded in
 * time, see loader.ts) and passes the release and what loaded in the app's props. A module that
 * did not load renders its fallback on both sides, and the browser does not try again for that
 * page (the server already reported the outage, once). A module that loaded renders on the
 * server; the browser loads the same release's code, suspending until it has it, which React
 * hydration tolerates (the server's HTML stays until then).
 */
import { createContext, use, useContext, type ComponentProps, type ComponentType, type ReactNode } from 'react';
import type { RemoteLocation } from '@repo/releases';
import { Contained } from '../Contained';
import { ensureExposed, loadedExposed, releaseKey, RETRY_AFTER_MS, type Availability } from './loader';
import type { ShopExpose, ShopModules } from './modules';

/** What the server decided for this page, serialised into the page's props. */
export interface RemoteState {
  readonly location: RemoteLocation;
  readonly availability: Readonly<Partial<Record<ShopExpose, Availability>>>;
  /** Separates a simulated outage (the lab) from the release's real state. */
  readonly scope: string;
}

export const RemoteContext = createContext<RemoteState | null>(null);

/** The props of an exposed module's component, as shop's source declares them. */
export type PropsOf<E extends ShopExpose> = ComponentProps<ShopModules[E]['default']> & object;

/** An exposed module, seen as its component with its own props (generic over E, TypeScript cannot). */
type Exposing<E extends ShopExpose> = { default: ComponentType<PropsOf<E>> };

interface Load {
  readonly at: number;
  readonly promise: Promise<ShopModules[ShopExpose] | null>;
  loaded?: boolean;
}

const loads = new Map<string, Load>();

/**
 * One load per module of a release (and scope): the promise React's `use` waits for. It must stay
 * the same while React retries the render that suspended on it; a load that found the module
 * unavailable is tried again after the loader's retry interval, so an outage does not stick.
 */
function loadOnce<E extends ShopExpose>(state: RemoteState, expose: E): Promise<ShopModules[E] | null> {
  const { location, scope } = state;
  const key = `${releaseKey(location, scope)} ${expose}`;
  let load = loads.get(key);
  if (!load || (!load.loaded && Date.now() - load.at >= RETRY_AFTER_MS)) {
    const entry: Load = {
      at: Date.now(),
      promise: ensureExposed(location, expose, scope).then((availability) => {
        const exposed = availability === 'up' ? (loadedExposed<ShopModules[E]>(location, expose, scope) ?? null) : null;
        entry.loaded = exposed !== null;
        return exposed;
      }),
    };
    load = entry;
    loads.set(key, load);
  }
  return load.promise as Promise<ShopModules[E] | null>;
}

interface RemoteSlotProps<E extends ShopExpose> {
  expose: E;
  props: PropsOf<E>;
  /** Shown while the module is unavailable, and if it throws (on the server or in the browser). */
  fallback: ReactNode;
}

/** Waits for the module (suspending), then renders it, or the fallback if it did not load. */
function Loaded<E extends ShopExpose>({ state, expose, props, fallback }: RemoteSlotProps<E> & { state: RemoteState }) {
  const exposed = use(loadOnce(state, expose)) as Exposing<E> | null;
  if (!exposed) return <>{fallback}</>;
  return <exposed.default {...props} />;
}

export function RemoteSlot<E extends ShopExpose>({ expose, props, fallback }: RemoteSlotProps<E>) {
  const state = useContext(RemoteContext);
  if (!state) throw new Error('RemoteSlot needs the host app around it (RemoteContext).');
  // 'down': the server found it unavailable, so both sides render the fallback. Not decided (a
  // page that did not declare it in `remoteModules`): loaded during render, on both sides.
  if (state.availability[expose] === 'down') return <>{fallback}</>;
  const exposed = loadedExposed<Exposing<E>>(state.location, expose, state.scope);
  return (
    <Contained fallback={fallback}>
      {exposed ? (
        <exposed.default {...props} />
      ) : (
        <Loaded state={state} expose={expose} props={props} fallback={fallback} />
      )}
    </Contained>
  );
}
