export { default } from '@repo/host/lab';
