/**
 * The workshop's state for the host shell: the owners switch, the events this page view caused
 * (followed in the inbox on lab pages), and the tour's progress, shared by the switch, the "who
 * got told" panel and the tour. Everything starts in the browser, after hydration: the server and
 * the hydrating browser render the same (switch off, panel connecting).
 */
import { useRouter } from 'next/router';
import { createContext, useContext, useEffect, useMemo, useReducer, type ReactNode } from 'react';
import { currentZone, topology } from '@repo/topology';
import { subscribeTold } from './inbox-stream';
import { localSetting, useLocalSetting } from './local-setting';
import {
  SHOW_OWNERS_ATTRIBUTE,
  SHOW_OWNERS_KEY,
  parseShowOwners,
  storedShowOwners,
  togglesOwners,
} from './owners';
import { initialTold, toldReducer, type ToldState } from './told';
import { TOUR_KEY, advance, isLabPath, parseProgress, type TourProgress } from './tour';
import { pathOf, usePageView, type PageView } from './trace';

interface Workshop {
  readonly showOwners: boolean;
  /** Whether this page shows the panel (lab pages). */
  readonly labPage: boolean;
  readonly told: ToldState;
  readonly progress: TourProgress;
}

export function restartTour(): void {
  tourSetting.write(null);
}

const WorkshopContext = createContext<Workshop | null>(null);

export function useWorkshop(): Workshop {
  const workshop = useContext(WorkshopContext);
  if (!workshop) throw new Error('The workshop needs WorkshopProvider around it (the host app).');
  return workshop;
}

const ownersSetting = localSetting(SHOW_OWNERS_KEY);
const tourSetting = localSetting(TOUR_KEY);

function toggleOwners(): void {
  ownersSetting.write(storedShowOwners(!parseShowOwners(ownersSetting.read())));
}

/** The switch's state, remembered per zone, mirrored on <html> for workshop.css, toggled by `o`. */
function useShowOwners(): boolean {
  const showOwners = parseShowOwners(useLocalSetting(ownersSetting));
  useEffect(() => {
    document.documentElement.toggleAttribute(SHOW_OWNERS_ATTRIBUTE, showOwners);
  }, [showOwners]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (togglesOwners(event, event.target instanceof HTMLElement ? event.target : null)) toggleOwners();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return showOwners;
}

/** The events of a lab page view, followed in the inbox; reset on each new page view. */
function useTold({ path, traceId }: PageView): ToldState {
  const [told, dispatch] = useReducer(toldReducer, undefined, () => initialTold(undefined));
  const enabled = isLabPath(path);
  useEffect(() => {
    dispatch({ type: 'reset', traceId });
    if (!enabled || !traceId) return;
    const subscription = subscribeTold({ inbox: topology.inbox.origin, traceId, dispatch });
    return () => subscription.close();
  }, [enabled, traceId]);
  return told;
}

export function WorkshopProvider({ release, children }: { release: string; children: ReactNode }) {
  const labPage = isLabPath(pathOf(useRouter().asPath));
  const pageView = usePageView();
  const { path } = pageView;
  const showOwners = useShowOwners();
  const told = useTold(pageView);

  const storedProgress = useLocalSetting(tourSetting);
  const progress = useMemo(() => parseProgress(storedProgress), [storedProgress]);
  useEffect(() => {
    // Until the panel has reset for this page view, its entries are the previous page view's.
    if (told.traceId !== pageView.traceId) return;
    const next = advance(progress, { path, showOwners, release, told: told.entries }, currentZone());
    if (next !== progress) tourSetting.write(JSON.stringify(next));
  }, [progress, path, pageView.traceId, showOwners, release, told]);

  const workshop = useMemo(() => ({ showOwners, labPage, told, progress }), [showOwners, labPage, told, progress]);
  return <WorkshopContext value={workshop}>{children}</WorkshopContext>;
}

/** The switch, in the host shell on every page. */
export function OwnersToggle() {
  const { showOwners } = useWorkshop();
  return (
    <button
      type="button"
      className="owners-toggle"
      data-testid="owners-toggle"
      aria-pressed={showOwners}
      aria-keyshortcuts="o"
      onClick={toggleOwners}
    >
      Show owners <kbd>o</kbd>
    </button>
  );
}
