// Each host's pages/_document.tsx re-exports this class; it is the document, just shared.
// eslint-disable-next-line @next/next/no-document-import-in-page
import Document, { Head, Html, Main, NextScript, type DocumentContext, type DocumentInitialProps } from 'next/document';
import { FlushedChunks, flushChunks } from '@module-federation/nextjs-mf/utils';

interface HostDocumentProps extends DocumentInitialProps {
  chunks: string[];
}

/**
 * The host's document puts the remote chunks that the server render used into the HTML, so the
 * browser has shop's code before it hydrates, instead of discovering it afterwards.
 */
export default class HostDocument extends Document<HostDocumentProps> {
  static override async getInitialProps(ctx: DocumentContext): Promise<HostDocumentProps> {
    const initialProps = await Document.getInitialProps(ctx);
    const chunks = await flushChunks();
    return { ...initialProps, chunks };
  }

  override render() {
    return (
      <Html lang="en">
        <Head>
          <FlushedChunks chunks={this.props.chunks} />
        </Head>
        <body>
          <Main />
          <NextScript />
        </body>
      </Html>
    );
  }
}
