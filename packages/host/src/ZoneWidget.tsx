import { currentZone } from '@repo/topology';

export class ZoneWidgetError extends Error {
  override name = 'ZoneWidgetError';
}

/** A component of the zone's own (not shop's), for the zone-render scenario. */
export function ZoneWidget({ broken }: { broken: boolean }) {
  const zone = currentZone();
  if (broken) throw new ZoneWidgetError(`${zone.name}'s own order summary failed to render`);
  return (
    <section data-owner={zone.owner} data-testid="zone-widget" className="zone-widget" aria-label="Order summary">
      <p className="zone-widget__eyebrow">From {zone.title.toLowerCase()}&apos;s team</p>
      <p className="zone-widget__text">{zone.title}&apos;s own order summary: 1 item.</p>
    </section>
  );
}
