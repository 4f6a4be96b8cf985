import { addBreadcrumb } from '@sentry/nextjs';
import type { GetServerSideProps } from 'next';
import { currentZone } from '@repo/topology';
import { findScenario } from './scenarios';

export class ZoneDataError extends Error {
  override name = 'ZoneDataError';
}

/**
 * /lab/zone-ssr: the zone's own getServerSideProps throws, so Next answers with the zone's error
 * page. Its own route, because a page has either getServerSideProps or getInitialProps.
 */
export const getServerSideProps: GetServerSideProps = async () => {
  const scenario = findScenario('zone-ssr');
  if (scenario) addBreadcrumb({ ...scenario.breadcrumb, level: 'info' });
  throw new ZoneDataError(`${currentZone().name}'s getServerSideProps failed to load the order`);
};

export default function ZoneSsrPage() {
  return <main data-testid="lab-scenario">This page never renders: its data loader always throws.</main>;
}
