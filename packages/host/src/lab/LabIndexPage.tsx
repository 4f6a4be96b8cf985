import { currentZone } from '@repo/topology';
import { Tour } from '../workshop/Tour';

export default function LabIndexPage() {
  const zone = currentZone();
  return (
    <main data-testid="lab-index">
      <h1>Failure lab · {zone.title}</h1>
      <p>Break things on purpose and see who gets told: follow the steps in order, each on its own page.</p>
      <Tour />
      <h2>After the tour: a broken canary, caught by itself</h2>
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
