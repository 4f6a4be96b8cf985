/**
 * What shop exposes, as types: each entry is typed against shop's own source (shop's package.json
 * `exports` → `types`), so a host that renders a remote module gets the module's real props and
 * no `any`. Only types: the code is loaded at run time from the live release (see loader.ts).
 */
import type * as BrokenComponent from 'shop/BrokenComponent';
import type * as Header from 'shop/Header';
import type * as ProductListPage from 'shop/ProductListPage';
import type * as ProductPage from 'shop/ProductPage';

export interface ShopModules {
  './Header': typeof Header;
  './BrokenComponent': typeof BrokenComponent;
  './ProductListPage': typeof ProductListPage;
  './ProductPage': typeof ProductPage;
}

export type ShopExpose = keyof ShopModules;
