import { remotePage } from '@repo/host/remote-page';

// Shop's product list, from shop's live release.
export default remotePage('./ProductListPage', "Shop's products");
