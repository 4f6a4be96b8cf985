import { currentZone } from '@repo/topology';

/**
 * Stands in for shop's Header when shop's code is unavailable: the page stays navigable, and the
 * box is the Header's own (store-header's fixed height), so nothing below it moves.
 */
export function HeaderFallback() {
  return (
    <header data-testid="header-fallback" data-fallback className="store-header">
      <div className="store-header__inner">
        <span className="store-brand">Federated Store</span>
        <nav aria-label="Shop (fallback)" className="store-nav">
          <ul className="store-nav__list">
            <li>
              <a className="store-nav__link" href={currentZone().origin}>
                Home
              </a>
            </li>
          </ul>
        </nav>
        <p className="store-header__notice">The shop&apos;s menu is unavailable right now.</p>
      </div>
    </header>
  );
}
