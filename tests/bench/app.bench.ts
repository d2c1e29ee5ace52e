/**
 * Review app benchmark (browser mode, system Chromium) on the 24-hour 2-lead Holter (48 MIT-BIH records in one
 * EDF+, `makeHolterEdf`): open → first waveform on screen, pan/zoom frame times from the Performance API
 * (uPlot build + draw per frame, and the waveform request), classification end to end.
 * Run: `npm run bench -- app`.
 */
import { dirname, basename } from 'node:path';
import { createApiClient, httpCall } from '../../src-main/api/client.js';
import { BASELINE_MODEL_ID } from '../../src-main/services/domain-adapters.js';
import { buildRenderer, launchBrowser, startApp } from '../e2e/harness.js';
import { makeHolterEdf } from './holter.js';
import type { BenchTable } from './table.js';

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };

export async function run(): Promise<BenchTable[]> {
  const edf = await makeHolterEdf();
  const rendererDir = await buildRenderer();
  const app = await startApp(rendererDir, dirname(edf));
  const api = createApiClient(httpCall(`http://127.0.0.1:${app.server.port}`, app.server.token));
  const browser = await launchBrowser();
  const rows: (string | number)[][] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(app.url);
    await page.getByTestId('path-input').fill(basename(edf));
    const t0 = performance.now();
    await page.getByTestId('open-path').click();
    await page.getByTestId('recording-row').first().waitFor({ timeout: 120_000 });
    const tOpen = performance.now() - t0;
    await page.getByTestId('recording-row').first().getByRole('button', { name: 'Review' }).click();
    await page.locator('[data-testid=leads] canvas').first().waitFor({ timeout: 120_000 });
    const tFirst = performance.now() - t0;
    rows.push(['open 24 h EDF+ (header + 100k reference beats)', tOpen, '']);
    rows.push(['open → first waveform on screen', tFirst, 'target < 1500 ms']);

    // Pan and zoom once the background indexing (min/max pyramid) is done, as a reviewer would after opening.
    const i0 = performance.now();
    while ((await api.listRecordings())[0].indexing) await new Promise((r) => setTimeout(r, 200));
    rows.push(['background indexing after open (pyramid + reference beats, worker)', performance.now() - t0, `waited ${(performance.now() - i0).toFixed(0)} ms after the first waveform`]);
    // Pan and zoom: each step is one waveform request + one uPlot build/draw per lead.
    const zooms = ['10 s', '1 min', '1 h', '6 h', '24 h', '5 min', '30 s', '5 s'];
    const all: { draw: number[]; fetch: number[] } = { draw: [], fetch: [] };
    const perZoom: string[] = [];
    for (const z of zooms) {
      await page.evaluate(() => performance.clearMeasures());
      await page.getByRole('button', { name: z, exact: true }).click();
      await page.waitForTimeout(250);
      for (let k = 0; k < 5; k++) { await page.keyboard.press('PageDown'); await page.waitForTimeout(250); }
      const m = await page.evaluate(() => ({
        draw: performance.getEntriesByName('waveform-frame').map((e) => e.duration),
        fetch: performance.getEntriesByName('waveform-fetch').map((e) => e.duration),
      }));
      all.draw.push(...m.draw);
      all.fetch.push(...m.fetch);
      perZoom.push(`${z}: ${pct(m.draw, 0.5).toFixed(1)}/${Math.max(...m.draw).toFixed(1)} ms`);
    }
    const m = all;
    rows.push([`pan/zoom frame: data in → lead drawn, uPlot (n=${m.draw.length})`, pct(m.draw, 0.5), `p95 ${pct(m.draw, 0.95).toFixed(1)} ms, max ${Math.max(...m.draw).toFixed(1)} ms; target < 16 ms`]);
    rows.push(['frame median/max per zoom', '', perZoom.join('; ')]);
    rows.push([`pan/zoom waveform request (n=${m.fetch.length})`, pct(m.fetch, 0.5), `p95 ${pct(m.fetch, 0.95).toFixed(1)} ms (min/max pyramid)`]);
    const rec = (await api.listRecordings())[0];
    const models = await api.listModels();
    // The baseline and the smallest shipped network (fewest parameters).
    const smallest = models.filter((x) => x.id !== BASELINE_MODEL_ID).sort((a, b) => Number(a.card.parameters ?? 0) - Number(b.card.parameters ?? 0))[0];
    for (const model of [models.find((x) => x.id === BASELINE_MODEL_ID), smallest]) {
      if (!model) continue;
      const c0 = performance.now();
      const { jobId } = await api.startClassification([rec.id], model.id);
      let job = await api.getJob(jobId);
      while (job.state === 'running') { await new Promise((r) => setTimeout(r, 200)); job = await api.getJob(jobId); }
      const runs = await api.listRuns(rec.id);
      rows.push([`classify 24 h end to end: ${model.id}`, performance.now() - c0, job.state === 'done' ? `${runs.at(-1)!.beats} beats; target < 20000 ms` : `${job.state}: ${job.error}`]);
    }
  } finally {
    await browser.close();
    await app.close();
  }
  return [{ title: 'Review app (browser mode, 24 h 2-lead Holter, Chromium headless)', columns: ['step', 'ms', 'notes'], rows }];
}
