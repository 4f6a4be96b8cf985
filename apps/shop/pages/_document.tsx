// Shop's own pages: the document's language (hosts have theirs in @repo/host/document).
import { Head, Html, Main, NextScript } from 'next/document';

export default function ShopDocument() {
  return (
    <Html lang="en">
      <Head />
      <body>
        <Main />
        <NextScript />
      </body>
    </Html>
  );
}
