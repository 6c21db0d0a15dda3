/**
 * The not-found page.
 * @module
 */
import type { PageProps } from "../server/web/page.ts";

export default function NotFound({ url }: PageProps<null>) {
  return (
    <section class="card not-found">
      <h1>Page not found</h1>
      <p>
        Nothing lives at{" "}
        <code>{url.pathname}</code>. The match may have kicked off and left the board.
      </p>
      <p>
        <a class="button primary" href="/">Back to the live board</a>
      </p>
    </section>
  );
}
