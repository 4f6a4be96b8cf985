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
import type { RemoteLocation, Rollout } from '@repo/releases';
import type { OwnerSessionRef } from '@repo/observability/owner-sessions';
import { Contained } from '../Contained';
import { OwnedRegion } from '../workshop/OwnedRegion';
import { remoteLoader } from './hostLoader';
import type { Availability } from './loader';
import type { ShopExpose, ShopModules } from './modules';
import { renderSpans, startRenderSpanOf } from './spans';

/** What the server decided for this page, serialised into the page's props. */
export interface RemoteState {
  readonly location: RemoteLocation;
  /** Whether the visitor got the live release or the canary's (null: no pointer decided it). */
  readonly rollout: Rollout | null;
  /** The remote owner's session for this page view, which the browser updates; null when off. */
  readonly session: OwnerSessionRef | null;
  readonly availability: Readonly<Partial<Record<ShopExpose, Availability>>>;
}

export const RemoteContext = createContext<RemoteState | null>(null);

/** The props of an exposed module's component, as shop's source declares them. */
export type PropsOf<E extends ShopExpose> = ComponentProps<ShopModules[E]['default']> & object;

/** An exposed module, seen as its component with its own props (generic over E, TypeScript cannot). */
type Exposing<E extends ShopExpose> = { default: ComponentType<PropsOf<E>> };

interface RemoteSlotProps<E extends ShopExpose> {
  expose: E;
  props: PropsOf<E>;
  /** Shown while the module is unavailable, and if it throws (on the server or in the browser). */
  fallback: ReactNode;
}

interface BracketProps {
  state: RemoteState;
  expose: ShopExpose;
}

/** Starts the module's render span (once per page view); renders nothing. */
function RenderStart({ state, expose }: BracketProps) {
  renderSpans.begin(state, expose, startRenderSpanOf(state.location, state.rollout));
  return null;
}

/** Ends it: React renders siblings in order, so the module's subtree has rendered by now. */
function RenderEnd({ state, expose }: BracketProps) {
  renderSpans.end(state, expose);
  return null;
}

/**
 * The module's component between two brackets that time its render (`mf.render shop/Header`,
 * shop's span), on the server and in the browser (hydration, and renders of later navigations).
 * Only the synchronous render is measured: a subtree that suspends ends the span when React
 * moves on to the next sibling, and what it streams later is not counted. A throw skips the
 * end: the slot's boundary ends it with status error in the browser; on a server, where a
 * contained throw reaches no code of ours, the end of the response does (state.ts). One span per
 * module and page view: a render after it ended (the host's state changed, a click broke the
 * module) is not timed. The brackets render nothing, so the HTML and hydration are the same as
 * without them.
 */
function Rendered<E extends ShopExpose>({ state, expose, props, exposed }: BracketProps & { props: PropsOf<E>; exposed: Exposing<E> }) {
  return (
    <>
      <RenderStart state={state} expose={expose} />
      <exposed.default {...props} />
      <RenderEnd state={state} expose={expose} />
    </>
  );
}

/** Waits for the module (suspending), then renders it, or the fallback if it did not load. */
function Loaded<E extends ShopExpose>({ state, expose, props, fallback }: RemoteSlotProps<E> & { state: RemoteState }) {
  // The same promise while React retries this render; a new one once an outage may have ended.
  const exposed = use(remoteLoader.whenLoaded<Exposing<E>>(state.location, expose));
  if (!exposed) return <>{fallback}</>;
  return <Rendered state={state} expose={expose} props={props} exposed={exposed} />;
}

/** The module, its fallback or whatever it renders until loaded: the remote's part of the page. */
function SlotContent<E extends ShopExpose>({ state, expose, props, fallback }: RemoteSlotProps<E> & { state: RemoteState }) {
  // 'down': the server found it unavailable, so both sides render the fallback. Not decided (a
  // page that did not declare it in `remoteModules`): loaded during render, on both sides.
  if (state.availability[expose] === 'down') return <>{fallback}</>;
  const exposed = remoteLoader.loadedExposed<Exposing<E>>(state.location, expose);
  return (
    <Contained fallback={fallback} onError={() => renderSpans.fail(state, expose, 'threw in the browser')}>
      {exposed ? (
        <Rendered state={state} expose={expose} props={props} exposed={exposed} />
      ) : (
        <Loaded state={state} expose={expose} props={props} fallback={fallback} />
      )}
    </Contained>
  );
}

/**
 * A remote's module in its owned region (the owner and the release that rendered it, for the
 * owners view), whichever of module and fallback renders inside: the region is outside the
 * boundary, so it is the same element on the server, in hydration and after a throw.
 */
export function RemoteSlot<E extends ShopExpose>(slot: RemoteSlotProps<E>) {
  const state = useContext(RemoteContext);
  if (!state) throw new Error('RemoteSlot needs the host app around it (RemoteContext).');
  return (
    <OwnedRegion location={state.location}>
      <SlotContent state={state} {...slot} />
    </OwnedRegion>
  );
}
