import type { NextPageContext } from 'next';
import Link from 'next/link';
import { useState } from 'react';
import BrokenComponent from 'shop/BrokenComponent';
import { currentZone } from '@repo/topology';
import { Contained, ErrorFallback } from '../Contained';
import { findScenario, type Scenario, type ScenarioId } from './scenarios';

interface LabPageProps {
  scenario: Scenario | null;
}

function RenderScenario() {
  const [broken, setBroken] = useState(false);
  return (
    <>
      <button type="button" data-testid="trigger" onClick={() => setBroken(true)}>
        Break shop&apos;s component
      </button>
      <Contained fallback={<ErrorFallback what="Shop's component" />}>
        <BrokenComponent fail={broken} />
      </Contained>
    </>
  );
}

function SsrScenario() {
  return (
    <Contained fallback={<ErrorFallback what="Shop's component" />}>
      <BrokenComponent fail />
    </Contained>
  );
}

const SCENARIO_VIEWS: Record<ScenarioId, () => React.JSX.Element> = {
  render: RenderScenario,
  ssr: SsrScenario,
};

function LabPage({ scenario }: LabPageProps) {
  const zone = currentZone();
  if (!scenario) {
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
      <h1>{scenario.title}</h1>
      <p>{scenario.what}</p>
      <p>Running in the {zone.title} zone.</p>
      <View />
      <p data-testid="page-rest">
        <Link href="/lab">All scenarios</Link>
      </p>
    </main>
  );
}

LabPage.getInitialProps = ({ query, res }: NextPageContext): LabPageProps => {
  const scenario = (typeof query.id === 'string' && findScenario(query.id)) || null;
  if (!scenario && res) res.statusCode = 404;
  return { scenario };
};

export default LabPage;
