export { default } from '@repo/host/error-page';
