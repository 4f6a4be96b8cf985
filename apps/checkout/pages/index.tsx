import ShopPreview, { SHOP_PREVIEW_MODULES } from '@repo/host/shop-preview';

export default function CheckoutPage() {
  return (
    <main data-testid="zone-page">
      <h1>Checkout</h1>
      <p>Your cart is empty. Checkout&apos;s team owns this page; shop&apos;s team owns the Header.</p>
      <ShopPreview />
    </main>
  );
}

CheckoutPage.remoteModules = SHOP_PREVIEW_MODULES;
