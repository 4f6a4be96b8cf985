export { default } from 'shop/ProductPage';
