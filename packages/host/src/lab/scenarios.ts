/**
 * The failure-scenario catalogue (CONTRACT.md, "The failure-scenario lab"). Each host zone
 * serves /lab and /lab/<id> from this list.
 */
export type ScenarioId = 'render' | 'ssr';

export type ScenarioSide = 'browser' | 'server';

export interface Scenario {
  id: ScenarioId;
  title: string;
  side: ScenarioSide;
  /** Whose code fails: shop's, or the zone's own. */
  culprit: 'shop' | 'zone';
  /** One sentence for the lab page: what happens. */
  what: string;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'render',
    title: 'Shop component breaks in the browser',
    side: 'browser',
    culprit: 'shop',
    what: "Shop's BrokenComponent throws while rendering in your browser; an error boundary puts a fallback in its place.",
  },
  {
    id: 'ssr',
    title: 'Shop component breaks on the server',
    side: 'server',
    culprit: 'shop',
    what: "Shop's BrokenComponent throws while this zone's server renders the page; the page still answers 200 with a fallback in its place.",
  },
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
