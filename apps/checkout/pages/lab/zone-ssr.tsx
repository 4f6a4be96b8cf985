export { default, getServerSideProps } from '@repo/host/lab-zone-ssr';
