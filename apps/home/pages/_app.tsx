// Global CSS may only be imported here (Next's rule): the store's look, which shop's Header and
// pages rendered in this zone rely on too.
import '@repo/design/tokens.css';
import '@repo/design/store.css';
import '@repo/design/workshop.css';

export { default } from '@repo/host/app';
