import { findScenario, ownerOf, type ScenarioId } from '@repo/host/scenarios';
import { HOST_ZONES, expect, test } from '../fixtures';
import { THROWERS, lineOf, mainException, topInAppFrame } from '../fixtures/frames';
import { proveScenario } from '../fixtures/scenarios';

/**
 * The same proof under `next dev`, where ownership metadata arrives another way: Sentry's
 * bundler plugin is not there, modules are evaluated one by one from webpack-internal:/// URLs,
 * and shop's server code is compiled on demand. Browser and server, shop's errors and the
 * zone's own. zone-ssr and remote-down are left to the production suite: under next dev the
 * answer to a failing getServerSideProps is Next's error overlay, not the zone's error page.
 * The crash frame names the source file here too, and for shop's code the line of the throw: the
 * inbox asks the zones' dev servers, as Next's overlay does (there are no uploaded maps in dev).
 * A host's own workspace-package code (zone-render's ZoneWidget) is not held to the line: Next's
 * dev endpoint maps it two lines low (the module's inline map, which browsers use, is right:
 * webpack's two `__webpack_internal_module__` init lines are not in the map the endpoint reads).
 */
const DEV_SCENARIOS: ScenarioId[] = ['render', 'ssr', 'event', 'async', 'zone-render'];

for (const zone of HOST_ZONES) {
  for (const id of DEV_SCENARIOS) {
    const scenario = findScenario(id);
    if (!scenario) throw new Error(`unknown scenario ${id}`);
    const owner = ownerOf(scenario, zone);
    test(`under next dev, ${id} in ${zone.name}: the error reaches ${owner}, and only ${owner}`, async ({
      page,
      request,
      problems,
      runs,
    }) => {
      const { event } = await proveScenario({ page, request, problems, runs }, zone, scenario, { environment: 'development' });
      const thrower = THROWERS[id];
      if (!thrower) throw new Error(`no thrower known for ${id}`);
      const top = topInAppFrame(mainException(event).stacktrace?.frames ?? []);
      expect(top.filename).toBe(thrower.file);
      if (owner === 'shop') expect(top.lineNo).toBe(lineOf(thrower)[0]);
    });
  }
}
