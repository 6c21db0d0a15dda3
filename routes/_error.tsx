/**
 * The page a browser gets when a page cannot be made (the live data is unavailable, an
 * internal error): the error handler's status and message, as a page rather than JSON.
 * @module
 */
import type { ErrorPageData, PageProps } from "../server/web/page.ts";

export default function ErrorPage({ data }: PageProps<ErrorPageData>) {
  const unavailable = data.status === 503;
  return (
    <section class="card not-found">
      <h1>{unavailable ? "Temporarily unavailable" : "Something went wrong"}</h1>
      <p>{data.message}</p>
      <p>
        {unavailable ? "This page will work again shortly; try again in a few seconds." : (
          <>
            Quote request id <code>{data.requestId}</code> if you report it.
          </>
        )}
      </p>
      <p>
        <a class="button primary" href="/">Back to the live board</a>
      </p>
    </section>
  );
}
