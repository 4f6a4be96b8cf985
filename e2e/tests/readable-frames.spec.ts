import { readFileSync } from 'node:fs';
import { SCENARIOS, type ScenarioId } from '@repo/host/scenarios';
import type { InboxEvent } from '@repo/testkit/inbox';
import { topology, type Zone } from '@repo/topology';
import { HOST_ZONES, expect, test } from '../fixtures';
import { actScenario } from '../fixtures/scenarios';

/**
 * Errors an owner can act on, against production builds whose source maps `npm run
 * sourcemaps:upload` sent to every project (the suite's global setup runs it): the event that
 * reached the owner names the owner's source file, the line of the throwing statement, the
 * original function name and the line itself, not a minified chunk; the host's own frames in it
 * resolve to the host's sources; and the maps are not served by the zone that owns them.
 */

interface Frame {
  filename: string | null;
  absPath: string | null;
  function: string | null;
  lineNo: number | null;
  colNo: number | null;
  inApp: boolean;
  context: [number, string][];
  data?: { symbolicated?: boolean; release?: string } | null;
}

interface ExceptionValue {
  value: string | null;
  stacktrace: { frames: Frame[] } | null;
  rawStacktrace: { frames: Frame[] } | null;
}

function mainException(event: InboxEvent): ExceptionValue {
  const values = event.entries.find((entry) => entry.type === 'exception')?.data.values as ExceptionValue[] | undefined;
  const main = values?.at(-1);
  if (!main) throw new Error(`event ${event.eventID} has no exception`);
  return main;
}

/** Frames are stored outermost first: the crash frame is the last in-app one. */
function topInAppFrame(frames: readonly Frame[]): Frame {
  const frame = frames.filter((f) => f.inApp).at(-1);
  if (!frame) throw new Error(`no in-app frame among ${frames.map((f) => f.filename).join(', ')}`);
  return frame;
}

interface Thrower {
  /** The file as the owner's repository names it. */
  file: string;
  /** Where this test reads it, from this file. */
  checkout: string;
  /** Text that only the throwing statement's line holds. */
  statement: string;
  function: string;
}

const SHOP_COMPONENT = { file: 'src/exposed/BrokenComponent.tsx', checkout: '../../apps/shop/src/exposed/BrokenComponent.tsx' };
const ZONE_WIDGET = { file: 'packages/host/src/ZoneWidget.tsx', checkout: '../../packages/host/src/ZoneWidget.tsx' };

/** Where each scenario throws: the statement a developer would want to land on. */
const THROWERS: Partial<Record<ScenarioId, Thrower>> = {
  render: { ...SHOP_COMPONENT, statement: 'failed to render (', function: 'BrokenComponent' },
  ssr: { ...SHOP_COMPONENT, statement: 'failed to render (', function: 'BrokenComponent' },
  event: { ...SHOP_COMPONENT, statement: 'click handler failed', function: 'onClick' },
  async: { ...SHOP_COMPONENT, statement: 'rejected and nobody handled it', function: 'checkStock' },
  'zone-render': { ...ZONE_WIDGET, statement: 'own order summary failed to render', function: 'ZoneWidget' },
};

/**
 * Where the stack holds frames of the host zone's own bundle: React's browser renderer and event
 * system call shop's component from the host's framework chunk. Not `async` (its stack starts at
 * shop's await) nor `ssr` (the server's React runs from node_modules, outside any bundle).
 */
const CALLED_BY_HOST_BUNDLE: readonly ScenarioId[] = ['render', 'event', 'zone-render'];

/** The 1-based line of the file that holds `statement`, and its text. */
function lineOf(thrower: Thrower): [number, string] {
  const lines = readFileSync(new URL(thrower.checkout, import.meta.url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(thrower.statement));
  expect(index, `${thrower.file} must hold ${thrower.statement}`).toBeGreaterThanOrEqual(0);
  return [index + 1, lines[index] ?? ''];
}

/** Where a raw frame's file is served from: browser frames lost their origin to Sentry's rewrite. */
function servedUrl(absPath: string, owner: Zone): string {
  return absPath.startsWith('app:///') ? `${owner.origin}/${absPath.slice('app:///'.length)}` : absPath;
}

for (const zone of HOST_ZONES) {
  for (const scenario of SCENARIOS) {
    const thrower = THROWERS[scenario.id];
    if (!thrower) continue;
    test(`${scenario.id} in ${zone.name}: the owner reads ${thrower.file}, line and code of the throw`, async ({
      page,
      request,
      problems,
      runs,
    }) => {
      const { owner, event } = await actScenario({ page, request, problems, runs }, zone, scenario, {
        environment: 'production',
      });
      const exception = mainException(event);
      const frames = exception.stacktrace?.frames ?? [];
      const [line, code] = lineOf(thrower);

      const top = topInAppFrame(frames);
      expect(top.filename).toBe(thrower.file);
      expect(top.lineNo).toBe(line);
      expect(top.function).toBe(thrower.function);
      expect(top.context).toContainEqual([line, code]);
      expect(top.data?.release ?? '').toMatch(new RegExp(`^${owner}@`));

      // No frame of a bundle is left minified: every chunk of either zone resolved.
      const unresolved = frames.filter((f) => /\/_next\/|\.next\//.test(f.absPath ?? f.filename ?? '') && !f.data?.symbolicated);
      expect(unresolved.map((f) => `${f.function} ${f.absPath}:${f.lineNo}:${f.colNo}`)).toEqual([]);
      if (CALLED_BY_HOST_BUNDLE.includes(scenario.id)) {
        // The host's own code (React in its framework chunk) ran the owner's: those frames
        // resolve to the host's sources, with the host's release.
        const hostFrames = frames.filter((f) => f.data?.release?.startsWith(`${zone.name}@`));
        expect(hostFrames.length).toBeGreaterThan(0);
        for (const frame of hostFrames) expect(frame.filename ?? '').not.toMatch(/_next\/static|\.next\//);
      }

      // The minified frames stay on demand, and their maps are not served by the owner's zone.
      const rawTop = topInAppFrame(exception.rawStacktrace?.frames ?? []);
      const served = servedUrl(rawTop.absPath ?? rawTop.filename ?? '', topology.zones[owner]);
      expect(served).toMatch(/\.js$/);
      expect((await request.get(served)).status()).toBe(200);
      expect((await request.get(`${served}.map`)).status()).toBe(404);
    });
  }
}
