/**
 * The failure-scenario catalogue (docs/contract.md, "The failure-scenario lab"). Each host zone
 * serves /lab and /lab/<id> from this list; the e2e suite proves every entry in every host.
 */
import type { Owner, Zone } from '@repo/topology';

export const SCENARIO_IDS = ['render', 'ssr', 'event', 'async', 'zone-render', 'zone-ssr', 'remote-down'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Where it fails: in the browser after a click on `trigger`, or on the server on page load. */
  side: 'browser' | 'server';
  /** Whose code fails, so whose project must get the event: shop's, or the zone's own. */
  culprit: 'shop' | 'zone';
  /** One sentence for the lab page: what happens. */
  what: string;
  /** What the business was doing just before, left as a breadcrumb an owner can act on. */
  breadcrumb: { category: string; message: string; data: Record<string, string | number> };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'render',
    title: "Shop's component breaks in the browser",
    side: 'browser',
    culprit: 'shop',
    what: "Shop's BrokenComponent throws while rendering in your browser; an error boundary puts a fallback in its place.",
    breadcrumb: { category: 'cart', message: 'cart: show item', data: { sku: 'mug', quantity: 1 } },
  },
  {
    id: 'ssr',
    title: "Shop's component breaks on the server",
    side: 'server',
    culprit: 'shop',
    what: "Shop's BrokenComponent throws while this zone's server renders the page; the page still answers 200 with a fallback in its place.",
    breadcrumb: { category: 'cart', message: 'cart: render item', data: { sku: 'kettle', quantity: 2 } },
  },
  {
    id: 'event',
    title: "Shop's click handler throws",
    side: 'browser',
    culprit: 'shop',
    what: "A click handler inside shop's component throws; the page carries on unchanged.",
    breadcrumb: { category: 'cart', message: 'cart: add item', data: { sku: 'tea', quantity: 3, priceCents: 650 } },
  },
  {
    id: 'async',
    title: "Shop's promise rejects unhandled",
    side: 'browser',
    culprit: 'shop',
    what: "Shop's code starts a stock check whose promise rejects and nobody handles it.",
    breadcrumb: { category: 'stock', message: 'stock: check availability', data: { sku: 'mug' } },
  },
  {
    id: 'zone-render',
    title: "This zone's own component breaks",
    side: 'browser',
    culprit: 'zone',
    what: "This zone's own component throws while rendering in your browser; a fallback replaces it.",
    breadcrumb: { category: 'order', message: 'order: show summary', data: { orderId: 'ord-1042', totalCents: 4900 } },
  },
  {
    id: 'zone-ssr',
    title: "This zone's getServerSideProps throws",
    side: 'server',
    culprit: 'zone',
    what: "This zone's own getServerSideProps throws; the zone's error page answers.",
    breadcrumb: { category: 'order', message: 'order: load', data: { orderId: 'ord-1043' } },
  },
  {
    id: 'remote-down',
    title: "Shop's remote cannot be loaded",
    side: 'server',
    culprit: 'shop',
    what:
      "This page loads shop's live release as if its assets had vanished (from an address that refuses connections), through the same path a real outage takes: the page answers 200 at once with a fallback Header, and shop is told which release failed. For a real outage, stop shop (see the README).",
    breadcrumb: { category: 'federation', message: 'federation: load shop/Header', data: { remote: 'shop' } },
  },
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

/** Whose project must get this scenario's error when it runs in `zone`. */
export function ownerOf(scenario: Scenario, zone: Zone): Owner {
  return scenario.culprit === 'shop' ? 'shop' : zone.owner;
}

/**
 * Where remote-down loads shop's release from: an address where nothing listens, so connecting
 * is refused at once. Port 2: privileged, so nothing of ours listens there, and not on the fetch
 * standard's list of blocked ports (port 1 is, and would fail as "bad port" before any
 * connection is tried).
 */
export const UNREACHABLE_ORIGIN = 'http://127.0.0.1:2';
