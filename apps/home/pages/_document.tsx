export { default } from '@repo/host/document';
