import { addBreadcrumb } from '@sentry/nextjs';
import type { NextPageContext } from 'next';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ComponentProps } from 'react';
import { currentZone } from '@repo/topology';
import { Contained, ErrorFallback } from '../Contained';
import { ZoneWidget } from '../ZoneWidget';
import type { Availability } from '../remote/loader';
import { RemoteSlot } from '../remote/RemoteSlot';
import type { ShopModules } from '../remote/modules';
import type { HostPageContext } from '../remote/state';
import { RemoteDownScenario, simulateOutage } from './RemoteDownScenario';
import { findScenario, ownerOf, type Scenario, type ScenarioId } from './scenarios';

interface LabPageProps {
  scenarioId: ScenarioId | null;
  /** remote-down: whether shop's Header loaded in the page's simulated outage. */
  outage?: Availability;
}

const shopFallback = <ErrorFallback what="Shop's component" />;

/** Shop's BrokenComponent from the live release (RemoteSlot contains it and shows the fallback). */
function BrokenComponent(props: ComponentProps<ShopModules['./BrokenComponent']['default']>) {
  return <RemoteSlot expose="./BrokenComponent" props={props} fallback={shopFallback} />;
}

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
      <BrokenComponent breakOn={broken ? 'render' : undefined} />
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

const SCENARIO_VIEWS: Record<Exclude<ScenarioId, 'zone-ssr'>, (props: LabPageProps) => React.JSX.Element> = {
  render: RenderScenario,
  ssr: () => <BrokenComponent breakOn="render" />,
  event: () => <BrokenComponent breakOn="click" />,
  async: () => <BrokenComponent breakOn="async" />,
  'zone-render': ZoneRenderScenario,
  'remote-down': RemoteDownScenario,
};

/** What a scenario page says above its view: what happens and who should be told. */
export function ScenarioIntro({ scenario }: { scenario: Scenario }) {
  const zone = currentZone();
  const owner = ownerOf(scenario, zone);
  return (
    <>
      <h1>{scenario.title}</h1>
      <p>{scenario.what}</p>
      <p>
        Running in the {zone.title} zone. The error belongs to <strong data-testid="expected-owner">{owner}</strong>
        {owner === zone.owner ? ' (this zone)' : ''}: it must reach {owner}&apos;s project, and no other.
      </p>
    </>
  );
}

function LabPage({ scenarioId, outage }: LabPageProps) {
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
      <View scenarioId={scenario.id} outage={outage} />
      <p data-testid="page-rest">
        <Link href="/lab">All scenarios</Link>
      </p>
    </main>
  );
}

LabPage.remoteModules = ['./BrokenComponent'] as const;

LabPage.getInitialProps = async (context: NextPageContext): Promise<LabPageProps> => {
  const { query, res } = context;
  const scenario = typeof query.id === 'string' ? findScenario(query.id) : undefined;
  if (!scenario) {
    if (res) res.statusCode = 404;
    return { scenarioId: null };
  }
  // Server scenarios: the business step before the failure, on this request's scope.
  if (res && scenario.side === 'server') addBreadcrumb({ ...scenario.breadcrumb, level: 'info' });
  if (scenario.id === 'remote-down') {
    const { remote } = context as HostPageContext;
    return { scenarioId: scenario.id, outage: await simulateOutage(remote?.location) };
  }
  return { scenarioId: scenario.id };
};

export default LabPage;
