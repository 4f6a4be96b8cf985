import Head from 'next/head';
import Link from 'next/link';
import ShopPreview, { SHOP_PREVIEW_MODULES } from '@repo/host/shop-preview';

/** Who builds which part of the store: the demo's point, said where a visitor starts. */
const TEAMS = [
  { team: 'home', name: "Home's team", owns: 'This page: the welcome, and the zone it runs in.' },
  { team: 'shop', name: "Shop's team", owns: 'The Header above, the products and the box below, through Module Federation.' },
  { team: 'checkout', name: "Checkout's team", owns: 'The cart and the order, in a zone of its own.' },
] as const;

export default function HomePage() {
  return (
    <main data-testid="zone-page" className="store-page">
      <Head>
        <title>Federated Store</title>
      </Head>
      <section className="hero" aria-labelledby="home-title">
        <p className="hero__eyebrow">Tea things, made by three teams</p>
        <h1 id="home-title">Home</h1>
        <p className="lede">
          The Header above and the box below belong to shop&apos;s team and arrive through Module Federation; this
          page belongs to home&apos;s team.
        </p>
        <p className="hero__actions">
          <Link className="button" href="/products">
            Browse the tea things
          </Link>
          <Link className="button button--secondary" href="/lab">
            Open the failure lab
          </Link>
        </p>
      </section>
      <section aria-labelledby="teams-title">
        <h2 id="teams-title">Who builds what</h2>
        <ul className="team-cards">
          {TEAMS.map(({ team, name, owns }) => (
            <li key={team} className="team-card" data-team={team}>
              <p className="team-card__name">{name}</p>
              <p>{owns}</p>
            </li>
          ))}
        </ul>
      </section>
      <ShopPreview />
    </main>
  );
}

HomePage.remoteModules = SHOP_PREVIEW_MODULES;
