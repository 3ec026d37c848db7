/**
 * `npm run docs:screenshot`: runs the full demo, opens its dashboard in Debian's chromium
 * (playwright-core, no browser download) from the start, and writes docs/dashboard.png in
 * the middle of the outage phase.
 */
import { chromium } from 'playwright-core';
import { runDemo } from '../src/cli/demo/run.js';

const OUT = new URL('../docs/dashboard.png', import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
let shot: Promise<unknown> | undefined;
await runDemo({
  fast: false,
  onDashboard: (url) => void page.goto(url),
  onPhase: (name) => {
    // Halfway into the outage: breakers open, fallbacks answering, the timeline full.
    if (name === 'down') {
      shot = new Promise((resolve) => setTimeout(resolve, 8_000)).then(() =>
        page.screenshot({ path: OUT }),
      );
    }
  },
});
await shot;
await browser.close();
process.stdout.write(`wrote ${OUT}\n`);
