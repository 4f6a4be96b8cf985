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
    </main>
  );
}
