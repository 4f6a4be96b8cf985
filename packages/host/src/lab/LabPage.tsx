import { addBreadcrumb } from '@sentry/nextjs';
import type { NextPageContext } from 'next';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import BrokenComponent from 'shop/BrokenComponent';
import { currentZone } from '@repo/topology';
import { Contained, ErrorFallback } from '../Contained';
import { ZoneWidget } from '../ZoneWidget';
import { RemoteDownScenario } from './RemoteDownScenario';
import { findScenario, ownerOf, type Scenario, type ScenarioId } from './scenarios';

interface LabPageProps {
  scenarioId: ScenarioId | null;
}

const shopFallback = <ErrorFallback what="Shop's component" />;

function Trigger({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" data-testid="trigger" onClick={onClick}>
      {label}
    </button>
  );
}

function RenderScenario() {
  const [broken, setBroken] = useState(false);
  return (
    <>
      <Trigger label="Break shop's component" onClick={() => setBroken(true)} />
      <Contained fallback={shopFallback}>
        <BrokenComponent breakOn={broken ? 'render' : undefined} />
      </Contained>
    </>
  );
}

function ZoneRenderScenario() {
  const [broken, setBroken] = useState(false);
  return (
    <>
      <Trigger label="Break this zone's component" onClick={() => setBroken(true)} />
      <Contained fallback={<ErrorFallback what="This zone's order summary" />}>
        <ZoneWidget broken={broken} />
      </Contained>
    </>
  );
}

const SCENARIO_VIEWS: Record<Exclude<ScenarioId, 'zone-ssr'>, () => React.JSX.Element> = {
  render: RenderScenario,
  ssr: () => (
    <Contained fallback={shopFallback}>
      <BrokenComponent breakOn="render" />
    </Contained>
  ),
  event: () => (
    <Contained fallback={shopFallback}>
      <BrokenComponent breakOn="click" />
    </Contained>
  ),
  async: () => (
    <Contained fallback={shopFallback}>
      <BrokenComponent breakOn="async" />
    </Contained>
  ),
  'zone-render': ZoneRenderScenario,
  'remote-down': RemoteDownScenario,
};

/** What a scenario page says above its view: what happens and who should be told. */
export function ScenarioIntro({ scenario }: { scenario: Scenario }) {
  const zone = currentZone();
  const owner = ownerOf(scenario, zone.name);
  return (
    <>
      <h1>{scenario.title}</h1>
      <p>{scenario.what}</p>
      <p>
        Running in the {zone.title} zone. The error belongs to <strong data-testid="expected-owner">{owner}</strong>
        {owner === zone.name ? ' (this zone)' : ''}: it must reach {owner}&apos;s project, and no other.
      </p>
    </>
  );
}

function LabPage({ scenarioId }: LabPageProps) {
  const scenario = scenarioId ? findScenario(scenarioId) : undefined;
  useEffect(() => {
    // Browser scenarios: the business step before the failure, for the owner to read.
    if (scenario?.side === 'browser') addBreadcrumb({ ...scenario.breadcrumb, level: 'info' });
  }, [scenario]);

  if (!scenario || scenario.id === 'zone-ssr') {
    return (
      <main data-testid="lab-scenario">
        <h1>No such scenario</h1>
        <Link href="/lab">All scenarios</Link>
      </main>
    );
  }
  const View = SCENARIO_VIEWS[scenario.id];
  return (
    <main data-testid="lab-scenario" data-scenario={scenario.id}>
      <ScenarioIntro scenario={scenario} />
      <View />
      <p data-testid="page-rest">
        <Link href="/lab">All scenarios</Link>
      </p>
    </main>
  );
}

LabPage.getInitialProps = ({ query, res }: NextPageContext): LabPageProps => {
  const scenario = typeof query.id === 'string' ? findScenario(query.id) : undefined;
  if (!scenario) {
    if (res) res.statusCode = 404;
    return { scenarioId: null };
  }
  // Server scenarios: the business step before the failure, on this request's scope.
  if (res && scenario.side === 'server') addBreadcrumb({ ...scenario.breadcrumb, level: 'info' });
  return { scenarioId: scenario.id };
};

export default LabPage;
