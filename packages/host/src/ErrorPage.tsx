import { captureUnderscoreErrorException } from '@sentry/nextjs';
import type { NextPageContext } from 'next';
import NextError from 'next/error';
import Head from 'next/head';
import Link from 'next/link';

interface ErrorPageProps {
  statusCode: number;
}

/** The zone's error page. It reports the error it shows (once: Sentry skips an error it has seen). */
function ErrorPage({ statusCode }: ErrorPageProps) {
  const title = statusCode === 404 ? 'Page not found' : 'Something went wrong';
  return (
    <main data-testid="zone-error-page" className="store-page error-page">
      <Head>
        <title>{`${title} · Federated Store`}</title>
      </Head>
      <p className="error-page__code">{statusCode}</p>
      <h1>{title}</h1>
      <p className="lede">
        {statusCode === 404
          ? 'There is no page at this address.'
          : 'This zone could not serve the page. Its team has been told.'}
      </p>
      <Link className="button" href="/">
        Back to the start
      </Link>
    </main>
  );
}

ErrorPage.getInitialProps = async (context: NextPageContext): Promise<ErrorPageProps> => {
  await captureUnderscoreErrorException(context);
  const { statusCode } = await NextError.getInitialProps(context);
  return { statusCode };
};

export default ErrorPage;
