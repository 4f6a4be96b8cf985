import { createNextConfig } from '@repo/next-config';

// What shop exposes is declared once, in package.json `exports`.
export default createNextConfig({ zone: 'shop' });
