// Each host's pages/_document.tsx re-exports this class; it is the document, just shared.
// eslint-disable-next-line @next/next/no-document-import-in-page
import Document, { Head, Html, Main, NextScript, type DocumentContext, type DocumentInitialProps } from 'next/document';
import { remoteStateOfRequest } from './remote/state';
import { remoteChunksOf } from './remoteChunks';

interface HostDocumentProps extends DocumentInitialProps {
  chunks: string[];
}

/**
 * The remote chunks the server render used, as scripts the browser loads at once. Like
 * nextjs-mf's FlushedChunks, but with `crossorigin`: shop's code comes from another origin, and
 * without CORS the browser would hide the stack of any error it throws (see
 * @repo/federation-runtime's browser-remote-loader).
 */
function FlushedChunks({ chunks }: { chunks: string[] }) {
  return (
    <>
      {chunks
        .filter((chunk) => chunk.endsWith('.css'))
        .map((chunk) => (
          <link key={chunk} rel="stylesheet" href={chunk} crossOrigin="anonymous" />
        ))}
      {chunks
        .filter((chunk) => chunk.endsWith('.js'))
        .map((chunk) => (
          <script key={chunk} src={chunk} async crossOrigin="anonymous" />
        ))}
    </>
  );
}

/**
 * The host's document puts the remote chunks that the server render used into the HTML, so the
 * browser has shop's code before it hydrates, instead of discovering it afterwards.
 */
export default class HostDocument extends Document<HostDocumentProps> {
  static override async getInitialProps(ctx: DocumentContext): Promise<HostDocumentProps> {
    const initialProps = await Document.getInitialProps(ctx);
    const chunks = await remoteChunksOf(ctx.req ? remoteStateOfRequest.get(ctx.req) : undefined);
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
