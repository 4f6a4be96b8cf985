export { default } from '../../src/pages/ProductListPage';
