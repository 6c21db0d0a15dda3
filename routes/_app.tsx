/**
 * The document around every page: head, site header with navigation, main, footer.
 * @module
 */
import type { AppProps } from "../server/web/page.ts";

const NAV = [
  ["/", "Live board"],
  ["/value-bets", "Value bets"],
  ["/predict", "Predict"],
  ["/model", "Model"],
] as const;

export default function App({ Component, url, title }: AppProps) {
  const path = url.pathname;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta
          name="description"
          content="SabiScore: live football odds, model predictions and value bets."
        />
        <title>{title}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
        {/* The board needs none of the other pages' styles, and its first HTML has a budget. */}
        {path !== "/" && <link rel="stylesheet" href="/pages.css" />}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="wrap header-inner">
            <a class="brand" href="/">
              <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                <circle cx="12" cy="12" r="10.5" class="brand-ball" />
                <path d="M12 6.5l4.2 3-1.6 5h-5.2l-1.6-5z" class="brand-patch" />
              </svg>
              SabiScore
            </a>
            <nav aria-label="Main">
              <ul>
                {NAV.map(([href, label]) => {
                  const current = href === "/" ? path === "/" : path.startsWith(href);
                  return (
                    <li key={href}>
                      <a href={href} aria-current={current ? "page" : undefined}>{label}</a>
                    </li>
                  );
                })}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class="wrap">
          <Component />
        </main>
        <footer class="site-footer wrap">
          <p>
            Probabilities are estimates, not promises. Bet responsibly. <a href="/docs">API</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
