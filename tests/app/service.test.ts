/**
 * ReviewService over MIT-BIH without a browser: exported corrections decode as a WFDB annotation file with the
 * corrected labels, the report is self-contained and lists the misclassified beats, templates partition the
 * beats, waveform columns bracket the raw samples, cancel and a crashing worker leave the service usable.
 */
import { holterEvents } from '../../src-main/services/report.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AAMI_LABELS } from '../../src-main/api/contract.js';
import { decodeWfdbAnnotations, readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { BASELINE_MODEL_ID } from '../../src-main/services/domain-adapters.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';

describeMitdb('ReviewService on MIT-BIH', () => {
  let s: ReviewService;
  let recId: string;
  let runId: string;

  beforeAll(async () => {
    s = makeService();
    recId = (await s.openRecording(mitdbRecord('119'))).id;
    const job = await waitJob(s, (await s.startClassification([recId], BASELINE_MODEL_ID)).jobId);
    expect(job.state).toBe('done');
    runId = job.runIds[0];
  });
  afterAll(async () => { await s?.dispose(); });

  it('min/max columns bracket the raw samples they summarise', async () => {
    const from = 100_000, to = 100_000 + 3600;
    const raw = await s.getWaveform({ recordingId: recId, from, to, pixelWidth: 5000 });
    const mm = await s.getWaveform({ recordingId: recId, from, to, pixelWidth: 100 });
    if (raw.kind !== 'raw' || mm.kind !== 'minmax') throw new Error('unexpected kinds');
    for (let c = 0; c < 100; c++) {
      const seg = raw.leads[0].values.slice(Math.floor(c * mm.step), Math.floor((c + 1) * mm.step)) as number[];
      expect(mm.leads[0].min[c]).toBeCloseTo(Math.min(...seg), 4);
      expect(mm.leads[0].max[c]).toBeCloseTo(Math.max(...seg), 4);
    }
  });

  it('exports corrections as a WFDB annotation file and CSV with the corrected labels', async () => {
    const beats = await s.listBeats(recId, runId);
    const i = 10;
    const corrected = beats.reference[i] === 'V' ? 'F' : 'V';
    const x = await s.exportCorrections({ runId, corrections: [{ sample: beats.samples[i], label: corrected }] });
    const anns = decodeWfdbAnnotations(x.fileName, Buffer.from(x.wfdbBase64, 'base64'));
    expect(anns).toHaveLength(beats.samples.length);
    expect(anns[i]).toMatchObject({ sample: beats.samples[i], symbol: corrected });
    // Uncorrected beats keep their original MIT symbol where the reference matched.
    const j = [...beats.symbols].findIndex((c, k) => k !== i && c !== '-');
    expect(anns[j].symbol).toBe(beats.symbols[j]);
    const rows = x.csv.trim().split('\n');
    expect(rows).toHaveLength(beats.samples.length + 1);
    expect(rows[i + 1].split(',').slice(-2)).toEqual(['yes', corrected]);
  });

  it('builds a self-contained report with per-class figures and strips of misclassified beats', async () => {
    const r = await s.exportReport({ runId, corrections: [], notes: 'checked <b>by</b> test' });
    expect(r.html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(r.html).toContain('checked &lt;b&gt;by&lt;/b&gt; test');
    const m = await s.getMetrics({ runId, reference: 'annotations' });
    for (const c of m.classes) expect(r.html).toContain(`<tr><th>${c.label}</th><td>${c.tp + c.fn}</td><td>${c.tp}</td>`);
    const wrong = m.confusion.reduce((a, row, k) => a + row.reduce((x, y) => x + y, 0) - row[k], 0);
    expect(r.html).toContain(`of ${wrong} <small>`);
    // The EC57 lines: getMetrics' figures from minute 5 (364 of 119's 444 PVCs come after it).
    const e = m.ec57!;
    expect(e.veb.reference).toBe(364);
    const p1 = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(1));
    expect(r.html).toContain(`from minute 5: VEB Se ${p1(e.veb.se)} %, +P ${p1(e.veb.ppv)} %, FPR ${(e.veb.fpr! * 100).toFixed(2)} % (${e.veb.reference} in the reference)`);
    expect(r.html).toContain(`VE couplets ${p1(e.runs.ve.couplets.se)} / ${p1(e.runs.ve.couplets.ppv)} (${e.runs.ve.couplets.reference})`);
    // The Holter page, from the final labels: 119's ventricular bigeminy and trigeminy as the model labelled them.
    const beats = await s.listBeats(recId, runId);
    for (const k of ['N', 'S', 'V', 'F', 'Q'] as const) expect(r.holter.counts[k]).toBe([...beats.predicted].filter((x) => x === k).length);
    expect(r.holter.ectopy.V.total).toBe(r.holter.counts.V);
    const atr = await readWfdbAnnotationFile(`${mitdbRecord('119')}.atr`);
    const marked = atr.filter((a) => a.symbol === '+').map((a, k, all) => [a.sample / 360, (all[k + 1]?.sample ?? 650000) / 360, a.aux.startsWith('(B')] as const).filter((x) => x[2]);
    const episodes = r.holter.ectopy.V.bigeminy.list;
    expect(episodes.length).toBeGreaterThan(10); // the cardiologists marked 37 (B episodes
    for (const e of episodes) expect(marked.some(([a, b]) => e.start < b && e.end > a), `bigeminy at ${e.start} s`).toBe(true);
    expect(r.html).toContain(`<tr><th>Ventricular (V)</th><td>${r.holter.ectopy.V.total}</td>`);
    // The reference side (119's atr: 444 V beats in 37 bigeminy and 23 trigeminy episodes), for the Holter view's comparison.
    const ref = await s.getHolterSummary({ runId, labels: 'reference' });
    expect([ref.counts.V, ref.ectopy.V.bigeminy.episodes, ref.ectopy.V.trigeminy.episodes]).toEqual([444, 37, 23]);
    // both sides score the AF they find against atr's rhythm annotations: 119 has no AF, and neither side finds any
    for (const h of [r.holter, ref]) expect([h.afAgreement?.annotator, h.afAgreement?.referenceSeconds, h.afAgreement?.foundEpisodes]).toEqual(['atr', 0, 0]);
    expect(r.html).toContain("against atr's rhythm annotations (0.0 min of AF or flutter in 0 episode(s))");
    // a strip of each Holter event (pauses, highest and lowest rate, runs when there are any), four to a page
    const events = holterEvents(r.holter);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(r.html).toContain(`<div class="cap">${e.title} — `);
    expect(r.html.match(/<h2>Holter events /g)).toHaveLength(Math.ceil(events.length / 4));
    await expect(s.getHolterSummary({ runId, labels: 'other' as 'final' })).rejects.toThrow(/labels must be 'final' or 'reference'/);
    expect(r.pdfBase64).toBeNull();
    expect(r.pdfError).toMatch(/no PDF renderer/);
  });

  it('compares two runs of 119 on the same reference beats: McNemar from the beats only one got right', async () => {
    // A second run of the same model on the detector's beats, with one correction applied to both.
    const job = await waitJob(s, (await s.startClassification([recId], BASELINE_MODEL_ID, { beats: 'detector' })).jobId);
    const other = job.runIds[0];
    const [p] = await s.compareRuns({ runIds: [runId, other], reference: 'annotations' });
    const ma = await s.getMetrics({ runId, reference: 'annotations' });
    // The first run labels 119's reference beats themselves; the detector's run finds almost all of them.
    expect(p.beats).toBeLessThanOrEqual(ma.beats);
    expect(p.beats).toBeGreaterThan(ma.beats * 0.99);
    expect(p.onlyA - p.onlyB).toBe(Math.round((p.accuracyA! - p.accuracyB!) * p.beats));
    expect(p.pValue).toBeGreaterThanOrEqual(0);
    expect(p.pValue).toBeLessThanOrEqual(1);
    // A run against itself: no discordant beats, p = 1, accuracy as getMetrics gives it.
    const [self] = await s.compareRuns({ runIds: [runId, runId], reference: 'annotations' });
    expect([self.onlyA, self.onlyB, self.pValue, self.beats]).toEqual([0, 0, 1, ma.beats]);
    expect(self.accuracyA).toBeCloseTo(ma.accuracy!, 12);
    await expect(s.compareRuns({ runIds: [runId], reference: 'annotations' })).rejects.toThrow(/needs two or more runs, got 1/);
  });

  it('groups beats into templates that partition the run by label', async () => {
    const beats = await s.listBeats(recId, runId);
    const groups = await s.getTemplates(runId, []);
    const total = groups.reduce((a, g) => a + g.count, 0);
    // Beats too close to either end for a whole window are left out.
    expect(total).toBeGreaterThan(beats.samples.length - 3);
    for (const g of groups) {
      expect(AAMI_LABELS).toContain(g.label);
      for (const m of g.members.slice(0, 50)) expect(beats.predicted[beats.samples.indexOf(m)]).toBe(g.label);
      expect(g.shape.length).toBe(Math.round(0.25 * 360) + Math.round(0.4 * 360));
    }
    // 119 has ~440 PVCs in bigeminy: the V templates hold most of them.
    expect(groups.filter((g) => g.label === 'V').reduce((a, g) => a + g.count, 0)).toBeGreaterThan(300);
  });

  it('cancels a job at once and stays usable', async () => {
    const { jobId } = await s.startClassification([recId, recId, recId], BASELINE_MODEL_ID);
    await s.cancelJob(jobId);
    const j = await s.getJob(jobId);
    expect(j.state).toBe('cancelled');
    expect(j.runIds).toEqual([]);
    expect((await s.listBeats(recId, runId)).samples.length).toBeGreaterThan(1000);
  });

  it('finds 210\'s AF, whose response is too regular for the RR rule, from the signal\'s P waves; the report says how it looked', async () => {
    const rec = await s.openRecording(mitdbRecord('210'));
    const job = await waitJob(s, (await s.startClassification([rec.id], 'causal-student-int8', { beats: 'reference' })).jobId, 120_000);
    expect(job.state, job.error).toBe('done');
    for (const labels of ['final', 'reference'] as const) {
      const h = await s.getHolterSummary({ runId: job.runIds[0], labels });
      expect(h.af.pWaves).toBe(true);
      // 210 is AF but for 22 s: from RR alone duration Se 1.8 % (README)
      expect(h.afAgreement!.durationSe!, labels).toBeGreaterThan(90);
      expect(h.afAgreement!.foundEpisodesTrue).toBe(h.afAgreement!.foundEpisodes);
    }
    const r = await s.exportReport({ runId: job.runIds[0], corrections: [] });
    expect(r.html).toContain('(from RR irregularity, with less of it needed where the signal shows no P waves)');
  }, 180_000);

  it('turns a crashing worker into a failed job with a message', async () => {
    const crashing = makeService({ workerEntry: new URL('../e2e/fixtures/crash-worker.ts', import.meta.url) });
    try {
      const rec = await crashing.openRecording(mitdbRecord('100'));
      const job = await waitJob(crashing, (await crashing.startClassification([rec.id], BASELINE_MODEL_ID)).jobId);
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/100: the classification worker crashed: simulated crash/);
      expect((await crashing.listBeats(rec.id, null)).samples.length).toBe(2273);
    } finally {
      await crashing.dispose();
    }
  });
});
