import BrokenComponent from '../src/exposed/BrokenComponent';

export default function ShopHome() {
  return (
    <main data-testid="zone-page">
      <h1>Shop</h1>
      <p>
        Shop owns the Header above and the component below; home and checkout render both through
        Module Federation.
      </p>
      <BrokenComponent />
    </main>
  );
}
