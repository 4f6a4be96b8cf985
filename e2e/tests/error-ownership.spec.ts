import { SCENARIOS, ownerOf } from '@repo/host/scenarios';
import { HOST_ZONES, test } from '../fixtures';
import { proveScenario } from '../fixtures/scenarios';

/**
 * The failure lab's whole matrix, against production builds: every scenario of the catalogue in
 * every host zone reaches its owner's project, and only it (see proveScenario for what each cell
 * asserts).
 */
for (const zone of HOST_ZONES) {
  for (const scenario of SCENARIOS) {
    const owner = ownerOf(scenario, zone);
    test(`${scenario.id} in ${zone.name}: the error reaches ${owner}, and only ${owner}`, async ({ page, request, problems, runs }) => {
      await proveScenario({ page, request, problems, runs }, zone, scenario, { environment: 'production' });
    });
  }
}
