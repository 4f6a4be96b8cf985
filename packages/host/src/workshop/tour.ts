/**
 * The guided tour of /lab: its steps (what you will do, what you should see, why), and how each
 * step checks itself from what the page view at hand shows: the owners switch, the events of
 * this page view that reached their teams (the panel's subscription), and the shop release this
 * page view rendered. Pure; the page keeps the progress in localStorage (per zone).
 */
import { BROKEN_RELEASE, releaseName } from '@repo/releases';
import type { Owner, Zone } from '@repo/topology';
import { SCENARIOS, findScenario, ownerOf, type Scenario, type ScenarioId } from '../lab/scenarios';
import type { ToldEntry } from './told';

export const TOUR_KEY = 'mf-tour';

export type TourStepId = 'owners' | ScenarioId | 'broken-release' | 'rollback';

export interface TourStep {
  readonly id: TourStepId;
  readonly title: string;
  /** What you will do. */
  readonly act: string;
  /** A command to run in a terminal, if the step needs one. */
  readonly command?: string;
  /** Where the step happens, if on another page of this zone. */
  readonly href?: string;
  /** What you should see. */
  readonly see: string;
  readonly why: string;
}

/** What the tour learns from the page view at hand. */
export interface PageViewFacts {
  /** The path without query, e.g. `/lab/render`. */
  readonly path: string;
  readonly showOwners: boolean;
  /** The shop release this page view rendered (`shop@1.0.0`), as the Header's slot says. */
  readonly release: string;
  /** The events of this page view that reached a project so far. */
  readonly told: readonly ToldEntry[];
}

/** A step found done, and what proved it. */
export interface StepDone {
  readonly detail: string;
  /** The event that proved it, in the inbox. */
  readonly url?: string;
}

export type TourProgress = Partial<Record<TourStepId, StepDone>>;

export const BROKEN_RELEASE_NAME = releaseName(BROKEN_RELEASE);
const DEPLOY_BROKEN = `npm run deploy -- ${BROKEN_RELEASE.remote} ${BROKEN_RELEASE.version} --defect ${BROKEN_RELEASE.defect}`;

/** What to look for and why, per scenario; the scenario's own sentence says what happens. */
const SCENARIO_NOTES: Record<ScenarioId, { see: (owner: Owner) => string; why: string }> = {
  render: {
    see: (owner) => `A fallback takes the component's place, the rest of the page works, and the panel lists one browser event in ${owner}'s project.`,
    why: "The code that threw is shop's, so shop's team is told, although the page is this zone's.",
  },
  event: {
    see: (owner) => `Nothing on the page changes; the panel lists one browser event in ${owner}'s project.`,
    why: "A click handler's error never reaches an error boundary: Sentry catches it globally and still finds its owner from the frames.",
  },
  async: {
    see: (owner) => `Nothing on the page changes; the panel lists one browser event in ${owner}'s project.`,
    why: "A rejected promise has no component around it; its stack alone says whose code it was.",
  },
  ssr: {
    see: (owner) => `The page answers with a fallback in the component's place; the panel lists two events in ${owner}'s project: the server's render and the browser's retry.`,
    why: "A failure on the server is routed like one in the browser, and the visitor still gets a whole page.",
  },
  'zone-render': {
    see: (owner) => `This zone's own widget is replaced by a fallback, and the event goes to ${owner}'s project, not shop's.`,
    why: "Ownership cuts both ways: this zone's own bugs stay with this zone's team.",
  },
  'zone-ssr': {
    see: (owner) => `This zone's error page; the panel lists one server event in ${owner}'s project.`,
    why: "The zone's own data failing is the zone's problem, and, unlike shop's contained failures, it takes the page down.",
  },
  'remote-down': {
    see: (owner) => `A fallback Header at once, the page answers; the panel lists one server event in ${owner}'s project, naming the release that did not load.`,
    why: "An outage of shop's assets is shop's to fix; the host degrades instead of failing. (For a real one, stop shop and reload any page.)",
  },
};

function scenarioStep(scenario: Scenario, zone: Zone): TourStep {
  const notes = SCENARIO_NOTES[scenario.id];
  const act = scenario.side === 'browser' ? 'Open the page and press its button.' : 'Open the page.';
  return {
    id: scenario.id,
    title: scenario.title,
    act: `${act} ${scenario.what}`,
    href: `/lab/${scenario.id}`,
    see: notes.see(ownerOf(scenario, zone)),
    why: notes.why,
  };
}

/** The scenarios in the tour's order: shop's browser failures, the server's, the zone's own, the outage. */
const SCENARIO_ORDER: readonly ScenarioId[] = ['render', 'event', 'async', 'ssr', 'zone-render', 'zone-ssr', 'remote-down'];

export function tourSteps(zone: Zone): TourStep[] {
  const scenarios = SCENARIO_ORDER.map((id) => SCENARIOS.find((s) => s.id === id)).filter((s): s is Scenario => s !== undefined);
  return [
    {
      id: 'owners',
      title: 'See who owns what',
      act: 'Press "Show owners" at the top of the page, or the key o.',
      see: "Shop's parts of the page are outlined in shop's colour and labelled with the release that rendered them; everything else is this zone's.",
      why: 'One page, several teams: who owns the code that failed decides who gets told.',
    },
    ...scenarios.map((scenario) => scenarioStep(scenario, zone)),
    {
      id: 'broken-release',
      title: 'Shop ships a broken release',
      act: 'Run the command below in a terminal, then reload this page.',
      command: DEPLOY_BROKEN,
      see: `Shop's Header is replaced by its fallback, and the panel lists ${BROKEN_RELEASE_NAME}'s errors in shop's project.`,
      why: 'A deploy moves a pointer, no host rebuilds: the broken release shows up in shop\'s project under its own name, so shop knows which release to take back.',
    },
    {
      id: 'rollback',
      title: 'Shop rolls back',
      act: "In the inbox, open shop's team page and press its rollback button (or run the command below), then reload this page.",
      command: `npm run rollback -- ${BROKEN_RELEASE.remote} 1.0.0`,
      see: "Shop's Header is back, from the release before, and the panel stays quiet.",
      why: 'The fix for a bad release is the previous one, live in seconds, with no host restarted.',
    },
  ];
}

/** The scenario a lab page is for, from its path (`/lab/ssr` → ssr). */
export function scenarioOfPath(path: string): Scenario | undefined {
  const match = /^\/lab\/([^/?#]+)\/?$/.exec(path);
  return match?.[1] ? findScenario(decodeURIComponent(match[1])) : undefined;
}

/** Lab pages show the panel: the tour and every scenario. */
export function isLabPath(path: string): boolean {
  return path === '/lab' || path.startsWith('/lab/');
}

function describe(entry: ToldEntry): string {
  return `${entry.project}'s project got it from the ${entry.runtime}${entry.release ? `, ${entry.release}` : ''}`;
}

/**
 * The progress with what this page view proves: the owners view turned on; a scenario's page
 * whose expected team got an event of this page view; the broken release rendered and reported
 * to shop; then this page rendering another release again. Steps once done stay done. Returns
 * the same object when nothing changed.
 */
export function advance(progress: TourProgress, facts: PageViewFacts, zone: Zone): TourProgress {
  const next: Record<string, StepDone> = { ...progress };
  if (facts.showOwners && !next.owners) next.owners = { detail: 'owners shown' };

  const scenario = scenarioOfPath(facts.path);
  if (scenario && !next[scenario.id]) {
    const owner = ownerOf(scenario, zone);
    const entry = facts.told.find((e) => e.project === owner);
    if (entry) next[scenario.id] = { detail: describe(entry), url: entry.url };
  }

  if (!next['broken-release'] && facts.release === BROKEN_RELEASE_NAME) {
    const entry = facts.told.find((e) => e.project === BROKEN_RELEASE.remote && e.release === BROKEN_RELEASE_NAME);
    if (entry) next['broken-release'] = { detail: describe(entry), url: entry.url };
  }
  if (next['broken-release'] && !next.rollback && facts.release !== BROKEN_RELEASE_NAME) {
    next.rollback = { detail: `this page rendered ${facts.release}` };
  }
  return Object.keys(next).length === Object.keys(progress).length ? progress : next;
}

export type StepStatus = 'done' | 'next' | 'todo';

/** Each step's status: done, the first one not done is next, the others to do. */
export function stepStatuses(steps: readonly TourStep[], progress: TourProgress): StepStatus[] {
  const firstOpen = steps.findIndex((step) => !progress[step.id]);
  return steps.map((step, index) => (progress[step.id] ? 'done' : index === firstOpen ? 'next' : 'todo'));
}

const STEP_IDS: ReadonlySet<string> = new Set<string>(['owners', 'broken-release', 'rollback', ...SCENARIOS.map((s) => s.id)]);

/** Progress as stored; anything unreadable is no progress. */
export function parseProgress(stored: string | null): TourProgress {
  if (!stored) return {};
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const progress: Record<string, StepDone> = {};
    for (const [id, done] of Object.entries(value as Record<string, unknown>)) {
      if (!STEP_IDS.has(id) || typeof done !== 'object' || done === null) continue;
      const { detail, url } = done as { detail?: unknown; url?: unknown };
      if (typeof detail !== 'string') continue;
      progress[id] = typeof url === 'string' ? { detail, url } : { detail };
    }
    return progress;
  } catch {
    return {};
  }
}
