export { default } from '../../src/pages/ProductPage';
