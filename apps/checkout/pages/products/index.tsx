export { default } from 'shop/ProductListPage';
