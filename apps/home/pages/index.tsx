import ShopPreview, { SHOP_PREVIEW_MODULES } from '@repo/host/shop-preview';

export default function HomePage() {
  return (
    <main data-testid="zone-page">
      <h1>Home</h1>
      <p>
        The Header above and the box below belong to shop&apos;s team and arrive through Module
        Federation; this page belongs to home&apos;s team.
      </p>
      <ShopPreview />
    </main>
  );
}

HomePage.remoteModules = SHOP_PREVIEW_MODULES;
