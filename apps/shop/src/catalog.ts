export interface Product {
  id: string;
  name: string;
  priceCents: number;
  description: string;
}

export const PRODUCTS: readonly Product[] = [
  { id: 'tea', name: 'Green tea', priceCents: 650, description: 'Sencha, 100 g, from a small farm.' },
  { id: 'mug', name: 'Stoneware mug', priceCents: 1800, description: 'Hand-glazed, 300 ml.' },
  { id: 'kettle', name: 'Kettle', priceCents: 4900, description: 'Gooseneck, stovetop.' },
];

export const FEATURED_PRODUCT_ID = 'mug';

/**
 * What the demo visitor has in the cart: the Header's badge counts it. The demo has no cart
 * service; checkout's page shows the same two lines as its own order.
 */
export const CART_ITEM_COUNT = 2;

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function formatPrice(cents: number): string {
  return `€${(cents / 100).toFixed(2)}`;
}
