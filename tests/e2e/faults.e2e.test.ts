/**
 * Faults in browser mode: a recording deleted while open, a classification cancelled half way, the worker
 * crashing. Each time the window stays usable, says what happened, and loses no correction.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASELINE_MODEL_ID } from '../../src-main/services/domain-adapters.js';
import { describeMitdb, MITDB_DIR } from '../helpers/data.js';
import { buildRenderer, launchBrowser, SCREENSHOTS, startApp, type App } from './harness.js';

function copyRecord(name: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const ext of ['hea', 'dat', 'atr']) copyFileSync(join(MITDB_DIR, `${name}.${ext}`), join(dir, `${name}.${ext}`));
}

describeMitdb('review app faults', () => {
  let rendererDir: string;
  let dataDir: string;
  let browser: Browser;
  const apps: App[] = [];

  beforeAll(async () => {
    rendererDir = await buildRenderer();
    dataDir = mkdtempSync(join(tmpdir(), 'ecg-review-faults-'));
    for (const r of ['100', '101', '103']) copyRecord(r, join(dataDir, 'db'));
    copyRecord('100', join(dataDir, 'doomed'));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const a of apps) await a.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPage(app: App): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(app.url);
    return page;
  }
  async function open(page: Page, path: string): Promise<void> {
    await page.getByTestId('tab-library').click();
    await page.getByTestId('path-input').fill(path);
    await page.getByTestId('open-path').click();
    await page.getByTestId('recording-row').filter({ hasText: path.split('/').at(-1)! }).first().waitFor();
  }
  async function correctFirstBeat(page: Page, label: string): Promise<void> {
    await page.getByTestId('recording-row').last().getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('beat-panel').waitFor();
    await page.getByTestId(`relabel-${label}`).click();
    await expect.poll(() => page.getByTestId('current-label').textContent()).toMatch(new RegExp(`Label:\\s*${label}\\s*set by`));
  }

  it('a recording deleted while open: says so, stays usable, keeps the correction', async () => {
    const app = await startApp(rendererDir, dataDir);
    apps.push(app);
    const page = await openPage(app);
    await open(page, 'doomed/100');
    await correctFirstBeat(page, 'V');
    for (const ext of ['hea', 'dat', 'atr']) rmSync(join(dataDir, 'doomed', `100.${ext}`));
    await page.getByRole('button', { name: '1 min' }).click();
    await expect.poll(() => page.getByTestId('notice-error').last().textContent()).toMatch(/no longer there/);
    await page.screenshot({ path: join(SCREENSHOTS, 'fault-deleted.png') });
    // Still usable: the library lists the other recordings and opens them.
    await open(page, 'db/101');
    // The file comes back: reopening shows the correction made before it vanished.
    copyRecord('100', join(dataDir, 'doomed'));
    await open(page, 'doomed/100');
    await page.getByTestId('recording-row').filter({ hasText: '100' }).getByRole('button', { name: 'Review' }).click();
    await expect.poll(() => page.getByTestId('current-label').textContent()).toMatch(/Label:\s*V\s*set by/);
    await page.close();
  });

  it('a classification cancelled half way: job says cancelled, a new one runs', async () => {
    const app = apps[0];
    const page = await openPage(app);
    for (const r of ['100', '101', '103']) await open(page, `db/${r}`);
    await page.getByTestId('tab-classify').click();
    await page.getByTestId('model-select').selectOption(BASELINE_MODEL_ID);
    for (const box of await page.locator('fieldset input[type=checkbox]').all()) await box.check();
    await page.getByTestId('start-classify').click();
    await page.getByTestId('cancel-job').click();
    await page.locator('[data-testid=job][data-state=cancelled]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'fault-cancelled.png') });
    expect((await app.service.listRuns()).length).toBeLessThan(3);
    for (const box of await page.locator('fieldset input[type=checkbox]').all()) await box.uncheck();
    await page.locator('fieldset input[type=checkbox]').first().check();
    await page.getByTestId('start-classify').click();
    await page.locator('[data-testid=job][data-state=done]').waitFor({ timeout: 60_000 });
    await page.close();
  });

  it('the worker crashing: job failed with a message, window usable, corrections kept across reload', async () => {
    const app = await startApp(rendererDir, dataDir, { workerEntry: new URL('./fixtures/crash-worker.ts', import.meta.url) });
    apps.push(app);
    const page = await openPage(app);
    await open(page, 'db/103');
    await correctFirstBeat(page, 'S');
    await page.getByTestId('tab-classify').click();
    await page.getByTestId('start-classify').click();
    await page.locator('[data-testid=job][data-state=failed]').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('notice-error').last().textContent()).toMatch(/crashed.*simulated crash/);
    await page.screenshot({ path: join(SCREENSHOTS, 'fault-worker-crash.png') });
    await page.reload();
    await page.getByTestId('tab-review').click();
    // After a reload the workspace is restored from IndexedDB and the beats re-read; on a loaded CI machine that
    // has taken longer than Playwright's default 30 s.
    await page.getByTestId('current-label').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('current-label').textContent()).toMatch(/Label:\s*S\s*set by/);
    // The service is still answering.
    expect((await app.service.listRecordings()).length).toBeGreaterThan(0);
    await page.close();
  });
});
