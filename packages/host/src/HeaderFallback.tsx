import { currentZone } from '@repo/topology';

/** Stands in for shop's Header when shop's code is unavailable: the page stays navigable. */
export function HeaderFallback() {
  return (
    <header data-testid="header-fallback" className="shop-header">
      <strong>Federated Store</strong>
      <nav aria-label="Shop">
        <a href={currentZone().origin}>Home</a>
      </nav>
    </header>
  );
}
