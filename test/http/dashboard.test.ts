import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience, type Resilience } from '../../src/core/index.js';
import { httpHandler, type HttpHandler } from '../../src/http/index.js';
import { launchBrowser } from '../support/browser.js';
import { serve, type RunningServer } from '../support/http-server.js';

const TOKEN = 'dashboard-test-token-0123456789';
const HOSTILE = '<img src=x onerror=alert(1)>';
const OPERATIONS = ['pay', 'search', HOSTILE];
const SCREENSHOT = join(tmpdir(), `breakwater-dashboard-${process.pid}.png`);

describe('the dashboard in a real chromium', () => {
  let resilience: Resilience;
  let handler: HttpHandler;
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const consoleErrors: string[] = [];
  const outsideRequests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    resilience = createResilience({
      config: {
        operations: Object.fromEntries(
          OPERATIONS.map((name) => [
            name,
            { retry: false, circuitBreaker: { trip: { kind: 'consecutive', threshold: 3 } } },
          ]),
        ),
      },
    });
    for (const name of OPERATIONS) await resilience.execute(name, () => 'ok');
    handler = httpHandler(resilience, { token: TOKEN });
    server = await serve((req, res) => handler(req, res));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(`${server.url}/`)) outsideRequests.push(request.url());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${server.url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    handler?.close();
    await server?.close();
    rmSync(SCREENSHOT, { force: true });
  });

  const card = (name: string) =>
    page.locator('.card').filter({ has: page.getByRole('heading', { name, exact: true }) });

  it('loads with a card per operation, no console error and no request elsewhere', async () => {
    await page
      .locator('.card')
      .nth(OPERATIONS.length - 1)
      .waitFor({ timeout: 10_000 });
    expect(await page.locator('.card').count()).toBe(OPERATIONS.length);
    expect(await page.locator('#connection').textContent()).toBe('live');
    expect(await card('pay').locator('.badge').textContent()).toBe('closed');
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });

  it('shows a hostile operation name as text: no element made, no dialog opened', async () => {
    expect(await card(HOSTILE).locator('.card-name').textContent()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows a trip within 2 seconds, on the card and in the timeline', async () => {
    for (let i = 0; i < 3; i++) {
      await resilience
        .execute('pay', () => Promise.reject(new Error('down')))
        .catch(() => undefined);
    }
    expect(resilience.breaker('pay')?.state).toBe('open');
    await page
      .locator('.card[data-state="open"] .card-name', { hasText: 'pay' })
      .waitFor({ timeout: 2_000 });
    expect(await card('pay').locator('.badge').textContent()).toBe('open');
    expect(await page.locator('#timeline .transition').first().textContent()).toContain('pay');
  });

  it('isolates a breaker from its button once given the token, and reports a wrong one', async () => {
    await card('search').getByRole('button', { name: 'isolate' }).click();
    await page.locator('#token').fill('not-the-token');
    await page.getByRole('button', { name: 'Run' }).click();
    await card('search').locator('.result[data-outcome="error"]').waitFor({ timeout: 5_000 });
    expect(await card('search').locator('.result').textContent()).toMatch(/403/);
    expect(resilience.breaker('search')?.state).toBe('closed');
    // The refused request is the one console error the page may show, and it showed it.
    expect(consoleErrors.splice(0)).toEqual([expect.stringMatching(/status of 403/)]);

    await card('search').getByRole('button', { name: 'isolate' }).click();
    await page.locator('#token').fill(TOKEN);
    await page.getByRole('button', { name: 'Run' }).click();
    await page
      .locator('.card[data-state="isolated"] .card-name', { hasText: 'search' })
      .waitFor({ timeout: 5_000 });
    expect(resilience.breaker('search')?.state).toBe('isolated');
    expect(await card('search').locator('.result').textContent()).toBe('isolate: now isolated');
    expect(resilience.auditTrail().at(-1)).toMatchObject({ command: 'isolate', source: 'http' });
  });

  it('fits a phone screen and writes a screenshot', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
