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
    </main>
  );
}
