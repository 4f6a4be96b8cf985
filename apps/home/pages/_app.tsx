export { default } from '@repo/host/app';
