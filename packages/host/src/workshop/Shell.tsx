import type { ReactNode } from 'react';
import { WhoGotIt } from './WhoGotIt';
import { OwnersToggle, useWorkshop } from './Workshop';

/** The host's own strip above shop's Header: the workshop's controls, never inside an owned region. */
export function WorkshopBar() {
  return (
    <section className="workshop-bar" aria-label="Workshop">
      <span className="workshop-bar__name">Workshop</span>
      <OwnersToggle />
    </section>
  );
}

/** The zone's page, with the "who got told" panel beside it on lab pages (below it on narrow screens). */
export function WorkshopLayout({ children }: { children: ReactNode }) {
  const { labPage } = useWorkshop();
  if (!labPage) return <>{children}</>;
  return (
    <div className="workshop-layout">
      <div className="workshop-layout__page">{children}</div>
      <WhoGotIt />
    </div>
  );
}
