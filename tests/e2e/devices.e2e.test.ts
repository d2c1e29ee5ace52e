/**
 * Acceptance of the Devices view in browser mode (system Chromium): a real agent on 127.0.0.1 is added by
 * address and paired with the code it prints (a wrong code first: a notice names the device); the smallest
 * shipped model (student-int8) is pushed with the progress bar watched; the status shows its id and SHA-256;
 * the agent replays MIT-BIH 208 (its shipped copy) and the live panel shows the beats, heart rate and count;
 * a rollback returns to the model pushed before. Screenshot: tests/e2e/screenshots/devices.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packModelDir, sha256 } from '../../src-main/devices/bundle.js';
import { MODELS_DIR } from '../app/helpers.js';
import { REPO, startAgentProcess, stopAllAgents, type AgentProcess } from '../devices/processes.js';
import { buildRenderer, launchBrowser, SCREENSHOTS, startApp, type App } from './harness.js';

const SAMPLE_208 = join(REPO, 'resources/samples/208');
const SLOW = 120_000;

describe('Devices view in the browser with a real agent', () => {
  let work: string;
  let agent: AgentProcess;
  let app: App;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ecg-review-devices-e2e-'));
    const [dir, a] = await Promise.all([buildRenderer(), startAgentProcess({ dataDir: join(work, 'agent'), args: ['--name', 'bedside-pi'] })]);
    agent = a;
    app = await startApp(dir, work, { devices: { registryPath: join(work, 'devices.json') } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await stopAllAgents();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Every phase (with the bar's value/max) the push progress shows, recorded in the page as it changes. */
  async function recordProgress(): Promise<void> {
    // In the page (a string: this file is compiled without the DOM library).
    await page.evaluate(`(() => {
      window.phases = [];
      const seen = () => {
        const el = document.querySelector('[data-testid=device-push-progress]');
        const bar = el && el.querySelector('progress');
        if (!el || !bar) return;
        const entry = el.getAttribute('data-phase') + ' ' + bar.value + '/' + bar.max;
        if (window.phases.at(-1) !== entry) window.phases.push(entry);
      };
      new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
  }
  const phases = (): Promise<string[]> => page.evaluate('window.phases') as Promise<string[]>;

  async function pushFromUi(model: string): Promise<void> {
    await page.getByTestId('device-model-select').selectOption(model);
    await page.getByTestId('device-push').click();
    await page.locator(`[data-testid=device-push-progress][data-phase=done]`).filter({ hasText: model }).waitFor({ timeout: SLOW });
  }

  it('pairs, pushes student-int8 with progress, shows its status, watches 208 live, rolls back', async () => {
    await page.goto(app.url);
    await page.getByTestId('tab-devices').click();
    await page.getByTestId('no-devices').waitFor();

    // Add by address (what the agent printed), then pair: a wrong code first.
    await page.getByTestId('device-address-input').fill(agent.address);
    await page.getByTestId('device-add').click();
    const row = page.locator(`[data-testid=device-row][data-address="${agent.address}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-paired')).toBe('false');
    expect(await row.getAttribute('data-online')).toBe('true');
    expect(await row.textContent()).toContain('bedside-pi');
    const code = agent.codes.at(-1)!;
    await page.getByTestId('device-code-input').fill(code === '000000' ? '111111' : '000000');
    await page.getByTestId('device-pair').click();
    await expect.poll(() => page.getByTestId('notice-error').last().textContent(), { timeout: SLOW }).toContain(`${agent.address}: wrong or expired pairing code`);
    await page.getByTestId('device-code-input').fill(code);
    await page.getByTestId('device-pair').click();
    await page.locator(`[data-testid=device-row][data-address="${agent.address}"][data-paired=true]`).waitFor({ timeout: SLOW });
    await expect.poll(() => page.getByTestId('device-model').textContent(), { timeout: SLOW }).toMatch(/none yet/);
    expect(await page.getByTestId('device-rollback').isDisabled()).toBe(true);

    // A first model, so that there is something to roll back to; then the smallest one, watching its progress.
    await pushFromUi('student-pruned');
    await recordProgress();
    await pushFromUi('student-int8');
    const recorded = await phases();
    // A page update before the new push began may record the previous push's final state; the new push starts at
    // its first packing step.
    const first = recorded.findIndex((p) => p.startsWith('packing 0/'));
    expect(first, JSON.stringify(recorded)).toBeGreaterThanOrEqual(0);
    for (const p of recorded.slice(0, first)) expect(p).toMatch(/^done /);
    const seen = recorded.slice(first);
    const int8Bytes = (await packModelDir(join(MODELS_DIR, 'student-int8'))).length;
    expect(seen).toContain(`verifying ${int8Bytes}/${int8Bytes}`);
    expect(seen.at(-1)).toBe(`done ${int8Bytes}/${int8Bytes}`);
    expect(seen.findIndex((p) => p.startsWith('verifying'))).toBeLessThan(seen.length - 1);

    // The status shows the model the device now runs: its id (card name + SHA-256 prefix), the SHA-256, and the
    // previous one for rollback.
    const sha = sha256(await packModelDir(join(MODELS_DIR, 'student-int8')));
    const prunedSha = sha256(await packModelDir(join(MODELS_DIR, 'student-pruned')));
    await expect.poll(() => page.getByTestId('device-model').textContent(), { timeout: SLOW }).toContain(`SHA-256 ${sha.slice(0, 12)}`);
    expect(await page.getByTestId('device-model').textContent()).toMatch(new RegExp(`-${sha.slice(0, 8)}`));
    expect(await page.getByTestId('device-previous').textContent()).toContain(prunedSha.slice(0, 12));
    expect(await row.getByTestId('device-row-model').textContent()).toContain(sha.slice(0, 12));

    // Live: watch, and have the agent replay the first 60 s of 208 at 10× real time.
    await page.getByTestId('device-watch').click();
    await page.getByTestId('device-unwatch').waitFor({ timeout: SLOW });
    await page.getByTestId('device-replay-record').fill(SAMPLE_208);
    await page.getByTestId('device-replay-speed').fill('10');
    await page.getByTestId('device-replay-seconds').fill('60');
    await page.getByTestId('device-replay').click();
    const count = async (): Promise<number> => Number(/(\d+) beats/.exec((await page.getByTestId('device-beat-count').textContent().catch(() => '')) ?? '')?.[1] ?? 0);
    await expect.poll(count, { timeout: SLOW }).toBeGreaterThan(30);
    await expect.poll(() => page.getByTestId('device-bpm').textContent(), { timeout: SLOW }).toMatch(/^\d+ bpm$/);
    const bpm = Number(/^(\d+)/.exec((await page.getByTestId('device-bpm').textContent())!)![1]);
    expect(bpm).toBeGreaterThan(30);
    expect(bpm).toBeLessThan(200);
    // 208 is full of PVCs: V labels appear in the scrolling list.
    await expect.poll(async () => (await page.getByTestId('device-beats').textContent())!.replace(/\s/g, ''), { timeout: SLOW }).toMatch(/^[NSVFQ]*V[NSVFQ]*$/);
    // The replay ends (60 s of ECG); the latency figures now count the beats.
    await expect.poll(() => page.getByTestId('device-live').textContent(), { timeout: SLOW }).toMatch(/not monitoring/);
    const total = await count();
    expect(total).toBeGreaterThan(60);
    await page.getByTestId('device-refresh').click();
    await expect.poll(() => page.getByTestId('device-latency').textContent(), { timeout: SLOW }).toContain(`(${total} beats)`);

    // Roll back to the model pushed first.
    await page.getByTestId('device-rollback').click();
    await expect.poll(() => page.getByTestId('device-model').textContent(), { timeout: SLOW }).toContain(`SHA-256 ${prunedSha.slice(0, 12)}`);
    expect(await page.getByTestId('device-previous').textContent()).toContain(sha.slice(0, 12));
    await page.getByTestId('notice-error').first().getByRole('button', { name: 'dismiss' }).click().catch(() => undefined);
    await page.screenshot({ path: join(SCREENSHOTS, 'devices.png'), fullPage: true });
  }, 600_000);
});
