/**
 * Server render cost of federation: checkout's home page with shop's federated Header versus the
 * same page from the control build (shop's Header compiled in). Rounds alternate between the two
 * so machine noise hits both alike.
 */
import { load as loadTest } from '@repo/testkit/load';
import { median } from './stats.ts';

export interface RenderFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

export interface RenderComparison {
  federated: RenderFigures;
  control: RenderFigures;
  connections: number;
  seconds: number;
  rounds: number;
}

async function load(url: string, connections: number, seconds: number): Promise<RenderFigures> {
  const result = await loadTest({ url, connections, seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  return { requestsPerSecond: result.requestsPerSecond, p50: result.latency.p50, p99: result.latency.p99 };
}

function summarize(rounds: RenderFigures[]): RenderFigures {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
  };
}

export async function compareRender(
  federatedUrl: string,
  controlUrl: string,
  { connections = 10, seconds = 5, rounds = 3 } = {},
): Promise<RenderComparison> {
  // Warm both (first renders load shop's remote, compile caches).
  await load(federatedUrl, 2, 2);
  await load(controlUrl, 2, 2);
  const federated: RenderFigures[] = [];
  const control: RenderFigures[] = [];
  for (let i = 0; i < rounds; i++) {
    federated.push(await load(federatedUrl, connections, seconds));
    control.push(await load(controlUrl, connections, seconds));
  }
  return { federated: summarize(federated), control: summarize(control), connections, seconds, rounds };
}
