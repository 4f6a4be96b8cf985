import Link from 'next/link';
import { currentZone } from '@repo/topology';
import { SCENARIOS } from './scenarios';

export default function LabIndexPage() {
  const zone = currentZone();
  return (
    <main data-testid="lab-index">
      <h1>Failure lab · {zone.title}</h1>
      <p>Break things on purpose and see who gets told.</p>
      <ul>
        {SCENARIOS.map((s) => (
          <li key={s.id}>
            <Link href={`/lab/${s.id}`}>{s.title}</Link>: {s.what}
          </li>
        ))}
      </ul>
      <h2>Outages and releases</h2>
      <p>These happen to the whole zone, so they are started from a terminal (see the README):</p>
      <ul>
        <li>
          Stop shop (or freeze it with <code>kill -STOP</code>) and reload this page: the fallback Header, at once, and
          one <code>remote-down</code> event in shop&apos;s project. Start it again: shop&apos;s Header is back within
          a second, with no restart here.
        </li>
        <li>
          <code>npm run deploy -- shop 1.1.0 --defect header</code> ships a shop release whose Header is broken: shop&apos;s
          project fills with errors tagged <code>shop@1.1.0</code>. Roll back with the button in shop&apos;s view of
          the inbox, or <code>npm run rollback -- shop 1.0.0</code>, and they stop.
        </li>
      </ul>
      <h2>A broken canary, caught by itself</h2>
      <ol data-testid="canary-walkthrough">
        <li>
          <code>npm run deploy -- shop 1.1.0 --defect header --canary 25</code>: shop ships the broken release to a
          quarter of the visitors only. Each visitor keeps its release (a cookie bucket); the element around the Header
          says which it got (<code>data-release</code>, <code>data-rollout</code>).
        </li>
        <li>
          Load this zone&apos;s home page as new visitors (private windows, or{' '}
          <code>for i in $(seq 40); do curl -s {zone.origin}/ &gt;/dev/null; done</code>): about one in four gets the
          fallback Header, the page works for all of them.
        </li>
        <li>
          Shop&apos;s view in the inbox fills with errors of <code>shop@1.1.0</code> tagged <code>rollout=canary</code>,
          and its Release health shows 1.1.0&apos;s page views failing while 1.0.0&apos;s are healthy: every page view
          that renders shop&apos;s code gives shop a session in its own project.
        </li>
        <li>
          Within seconds the release guard rolls the canary back by itself: its line in the terminal, the move by{' '}
          <code>guard</code> with its reason in shop&apos;s view and in <code>npm run releases</code>, and a message on
          shop&apos;s webhook (<code>INBOX_WEBHOOK_SHOP</code>) with the figures that decided it.
        </li>
        <li>Every visitor is on shop@1.0.0 again, and the errors stop.</li>
      </ol>
    </main>
  );
}
