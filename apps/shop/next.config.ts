import { createNextConfig } from '@repo/next-config';

export default createNextConfig({
  zone: 'shop',
  exposes: {
    './Header': './src/exposed/Header.tsx',
    './BrokenComponent': './src/exposed/BrokenComponent.tsx',
    './ProductListPage': './src/pages/ProductListPage.tsx',
    './ProductPage': './src/pages/ProductPage.tsx',
  },
});
