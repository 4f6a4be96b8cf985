import { findScenario, ownerOf, type ScenarioId } from '@repo/host/scenarios';
import { HOST_ZONES, test } from '../fixtures';
import { proveScenario } from '../fixtures/scenarios';

/**
 * The same proof under `next dev`, where ownership metadata arrives another way: Sentry's
 * bundler plugin is not there, modules are evaluated one by one from webpack-internal:/// URLs,
 * and shop's server code is compiled on demand. Browser and server, shop's errors and the
 * zone's own. zone-ssr and remote-down are left to the production suite: under next dev the
 * answer to a failing getServerSideProps is Next's error overlay, not the zone's error page.
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
      await proveScenario({ page, request, problems, runs }, zone, scenario, { environment: 'development' });
    });
  }
}
