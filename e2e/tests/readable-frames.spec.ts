import { SCENARIOS } from '@repo/host/scenarios';
import { topology, type Zone } from '@repo/topology';
import { HOST_ZONES, expect, test } from '../fixtures';
import { CALLED_BY_HOST_BUNDLE, THROWERS, lineOf, mainException, topInAppFrame } from '../fixtures/frames';
import { actScenario } from '../fixtures/scenarios';

/**
 * Errors an owner can act on, against production builds whose source maps `npm run
 * sourcemaps:upload` sent to every project (the suite's global setup runs it): the event that
 * reached the owner names the owner's source file, the line of the throwing statement, the
 * original function name and the line itself, not a minified chunk; the host's own frames in it
 * resolve to the host's sources; and the maps are not served by the zone that owns them.
 */

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
