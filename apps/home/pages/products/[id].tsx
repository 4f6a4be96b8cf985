import { remotePage } from '@repo/host/remote-page';

// One of shop's products, from shop's live release.
export default remotePage('./ProductPage', 'This product');
