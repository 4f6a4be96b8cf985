import { createNextConfig } from '@repo/next-config';

export default createNextConfig({ zone: 'checkout' });
