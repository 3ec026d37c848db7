import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

/**
 * The dashboard: one self-contained page (script and styles inline, nothing fetched but
 * this server's own `/events` and admin routes), so it works offline and behind any proxy.
 * `nonce` lets exactly these inline blocks run under the page's Content-Security-Policy.
 */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>breakwater</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${DASHBOARD_STYLE}</style>
</head>
<body>
<header class="top">
  <h1>breakwater</h1>
  <span id="connection" class="connection" data-live="false">connecting…</span>
  <span class="updated">updated <span id="updated">–</span></span>
</header>
<form id="token-form" class="token-form" hidden>
  <label id="token-prompt" for="token">Admin token</label>
  <input id="token" type="password" autocomplete="off" required>
  <button type="submit">Run</button>
  <button type="button" id="token-cancel">Cancel</button>
</form>
<main>
  <section aria-label="operations"><div id="cards" class="cards"></div></section>
  <section class="side" aria-label="transitions">
    <h2>Transitions</h2>
    <ol id="timeline" class="timeline"></ol>
  </section>
</main>
<script nonce="${nonce}">${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
