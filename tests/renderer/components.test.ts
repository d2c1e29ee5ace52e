/**
 * Svelte components against an in-memory API and fake-indexeddb: the Library shows the importer's message for
 * a bad file; Review's keyboard moves between disagreements and relabels (stored in Dexie, undoable), and its
 * low-confidence jump stops at the run's model card's DS2 triage threshold (else below 60 %), its beat panel gives the
 * selected beat's RR intervals and M toggles the calipers' readout, and its "premature N" jump (P) stops at the early
 * beats shown as N, with a count that follows corrections; Metrics shows the
 * per-class table, the EC57 panel and the calibration panel (reliability diagram, ECE, MCE, Brier, which way the
 * confidence errs, the review triage, or why there is none) and follows corrections; Classify's "Adapt to this patient" sends the
 * learning period and the label source (the reference, or the run under review with your corrections), and the run
 * list names an adapted run's adaptation. uPlot is stubbed (jsdom has no canvas).
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import Library from '../../src-renderer/views/Library.svelte';
import Metrics from '../../src-renderer/views/Metrics.svelte';
import Holter from '../../src-renderer/views/Holter.svelte';
import Review from '../../src-renderer/views/Review.svelte';
import Classify from '../../src-renderer/views/Classify.svelte';
import { brierText, compactCount, confidenceVerdict, percent, reliabilityMarks } from '../../src-renderer/lib/calibration.js';
import { openReviewDb } from '../../src-renderer/lib/db.js';
import { caliperReading, caliperText, NO_CALIPER, placeCaliper, rrOf, rrText } from '../../src-renderer/lib/calipers.js';
import { countPremature, nextPremature } from '../../src-renderer/lib/navigation.js';
import { AppState } from '../../src-renderer/lib/store.svelte.js';
import { BASELINE_MODEL_ID, type ApiEvent, type ModelSummary, type RecordingSummary, type RunAdaptation, type RunSummary } from '../../src-main/api/contract.js';
import { BEATS, REC, fakeTransport } from './fake-api.js';
import type { Transport } from '../../src-renderer/lib/api.js';

vi.mock('uplot', () => {
  class FakePlot {
    over = document.createElement('div');
    bbox = { left: 0, top: 0, width: 100, height: 100 };
    scales = { x: { min: 0, max: 1 }, y: { min: 0, max: 1 } };
    constructor(_o: unknown, _d: unknown, el: HTMLElement) { el.appendChild(document.createElement('canvas')); }
    destroy(): void {}
    redraw(): void {}
    valToPos(): number { return 0; }
    posToVal(): number { return 0; }
    static paths = { bars: () => () => null };
  }
  return { default: FakePlot };
});

let n = 0;
async function makeApp(change?: (t: Transport) => void): Promise<{ app: AppState; calls: string[] }> {
  const { transport, calls } = fakeTransport();
  change?.(transport);
  const app = new AppState(transport, openReviewDb(`test-${n++}`, new IDBFactory(), IDBKeyRange));
  await app.init();
  return { app, calls };
}

describe('renderer components', () => {
  it('Library shows the importer message for a bad file', async () => {
    const { app } = await makeApp();
    render(Library, { app });
    await fireEvent.input(screen.getByTestId('path-input'), { target: { value: 'bad/999' } });
    await fireEvent.click(screen.getByTestId('open-path'));
    await waitFor(() => expect(screen.getByTestId('open-error').textContent).toMatch(/bad\/999: no such file or WFDB record/));
  });

  it("Library opens every recording of the listed folder that is not open yet, one after another; Classify's All/None choose the cohort", async () => {
    const { app, calls } = await makeApp();
    const rec = (name: string): RecordingSummary => ({ ...REC, id: `rec-${name}`, name, path: `/data/mitdb/${name}` });
    app.api.browse = async () => ({ dir: '/data/mitdb', entries: [
      { name: 'sub', path: '/data/mitdb/sub', kind: 'dir' as const },
      ...['100', '103', '208', 'bad'].map((name) => ({ name, path: `/data/mitdb/${name}`, kind: 'recording' as const })),
    ] });
    const open = app.api.openRecording.bind(app.api);
    app.api.openRecording = async (path: string) => { await open(path); if (path.includes('bad')) throw new Error(`${path}: no such file`); return rec(path.split('/').pop()!); };
    expect(app.recordings.map((r) => r.path)).toEqual(['/data/mitdb/208']);
    const libView = render(Library, { app });
    const lib = within(libView.container);
    // 208 is open already: four recordings listed, three to open (the folder is not one)
    const button = await lib.findByTestId('open-all');
    expect(button.textContent).toBe('Open all 3 recordings here');
    calls.length = 0;
    await fireEvent.click(button);
    await waitFor(() => expect(app.recordings.map((r) => r.name)).toEqual(['208', '100', '103']));
    await waitFor(() => expect(lib.getByTestId('open-error').textContent).toBe('1 of 3 recordings could not be opened (see the notices)'));
    expect(calls.filter((c) => c.startsWith('open '))).toEqual(['open /data/mitdb/100', 'open /data/mitdb/103', 'open /data/mitdb/bad']);
    expect(lib.queryByTestId('open-all')).toBeNull(); // only the failing one is left unopened

    libView.unmount();
    const clsView = render(Classify, { app });
    const cls = within(clsView.container);
    const boxes = (): boolean[] => cls.getAllByRole('checkbox').filter((b) => (b as HTMLInputElement).value.startsWith('rec-')).map((b) => (b as HTMLInputElement).checked);
    expect(boxes()).toEqual([false, false, true]); // the newest recording is chosen
    await fireEvent.click(cls.getByTestId('choose-all'));
    expect(boxes()).toEqual([true, true, true]);
    expect(cls.getByTestId('choose-all').textContent).toBe('All 3');
    await fireEvent.click(cls.getByTestId('choose-none'));
    expect(boxes()).toEqual([false, false, false]);    clsView.unmount(); // the views of this file share one document
  });

  it('Review: keyboard navigation, relabel stored in Dexie, undo', async () => {
    const { app } = await makeApp();
    await app.review('rec-1', 'run-1');
    render(Review, { app });
    expect(app.selected).toBe(0);
    await fireEvent.keyDown(window, { key: 'd' });
    expect(app.selected).toBe(2); // reference V, model N
    await waitFor(() => expect(screen.getByTestId('beat-panel').textContent).toMatch(/Reference:\s*V/));
    await fireEvent.keyDown(window, { key: 'd' });
    expect(app.selected).toBe(4);
    await fireEvent.keyDown(window, { key: 'D' });
    expect(app.selected).toBe(2);
    await fireEvent.keyDown(window, { key: 'c' });
    expect(app.selected).toBe(4); // confidence 0.7 ≤ 78.0 %, the threshold of cnn's card
    await fireEvent.keyDown(window, { key: 'c' });
    expect(app.selected).toBe(6); // confidence 0.52
    await fireEvent.keyDown(window, { key: '!', code: 'Digit1', shiftKey: true });
    expect(app.selected).toBe(6); // no beat labelled N after beat 6 (beat 7 is V): the selection stays
    await fireEvent.keyDown(window, { key: 'ArrowLeft' });
    expect(app.selected).toBe(5);
    // Relabel beat 5 (S) as V with key 3.
    await fireEvent.keyDown(window, { key: '3', code: 'Digit3' });
    await waitFor(async () => expect((await app.db.corrections.toArray()).map((c) => [c.sample, c.label, c.provenance])).toEqual([[BEATS.samples[5], 'V', 'manual']]));
    await waitFor(() => expect(screen.getByTestId('current-label').textContent).toMatch(/V\s*set by reviewer/));
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(app.corrections.size).toBe(0));
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(app.corrections.size).toBe(1));
    // Accept the model's label on a disagreement.
    app.selected = 2;
    await fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(app.corrections.get(BEATS.samples[2])?.provenance).toBe('accept-model'));
    expect(app.corrections.get(BEATS.samples[2])?.label).toBe('N');
    // A range (Shift+→ twice from beat 0) relabelled at once is one action: one undo removes all of it.
    app.selected = 0;
    app.selectionEnd = -1;
    await fireEvent.keyDown(window, { key: 'ArrowRight', shiftKey: true });
    await fireEvent.keyDown(window, { key: 'ArrowRight', shiftKey: true });
    await fireEvent.keyDown(window, { key: '2', code: 'Digit2' });
    await waitFor(() => expect([0, 1, 2].map((i) => app.corrections.get(BEATS.samples[i])?.label)).toEqual(['S', 'S', 'S']));
    expect(new Set([0, 1, 2].map((i) => app.corrections.get(BEATS.samples[i])!.group)).size).toBe(1);
    expect(app.corrections.get(BEATS.samples[1])!.provenance).toBe('selection');
    await app.undo();
    expect(app.corrections.get(BEATS.samples[2])?.provenance).toBe('accept-model');
    expect(app.corrections.has(BEATS.samples[0])).toBe(false);
  });

  it("Review: the beat panel gives the selected beat's RR and prematurity; M toggles the calipers' readout, Escape clears it", async () => {
    const { app } = await makeApp();
    await app.review('rec-1', 'run-1');
    const review = render(Review, { app });
    const view = within(review.container);
    const rr = () => view.getByTestId('beat-rr').textContent;
    expect(app.selected).toBe(0);
    expect(rr()).toBe(rrText(rrOf(BEATS.samples, BEATS.fs, 0)));
    expect(rr()).toMatch(/^RR: none before \(first beat\) · \d+ ms after$/);
    // Beat 4: three RR intervals before the one ending at it, so its prematurity is against their median.
    await fireEvent.keyDown(window, { key: 'd' });
    await fireEvent.keyDown(window, { key: 'd' });
    expect(app.selected).toBe(4);
    await waitFor(() => expect(rr()).toBe(rrText(rrOf(BEATS.samples, BEATS.fs, 4))));
    expect(rr()).toMatch(/^RR \d+ ms before \(\d+\.\d bpm, \d\.\d\d × the 3 before\) · \d+ ms after$/);
    expect(within(view.getByTestId('beat-panel')).getByTestId('beat-rr')).toBeTruthy();

    // Calipers: off at first; M turns them on with the hint, two points give the reading, Escape lifts the points.
    expect(view.queryByTestId('caliper-reading')).toBeNull();
    await fireEvent.keyDown(window, { key: 'm' });
    expect(app.calipersOn).toBe(true);
    await waitFor(() => expect(view.getByTestId('caliper-reading').textContent).toBe('click two points on a lead'));
    expect(view.getByTestId('calipers-toggle').classList.contains('on')).toBe(true);
    const a = { t: 1, v: 0.2 }, b = { t: 1.8, v: 1 };
    app.calipers = placeCaliper(placeCaliper(app.calipers, a, 0), b, 0);
    await waitFor(() => expect(view.getByTestId('caliper-reading').textContent).toBe(caliperText(caliperReading(a, b))));
    expect(view.getByTestId('caliper-reading').textContent).toBe('800 ms · 75.0 bpm · Δ 0.80 mV');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(app.calipers).toEqual(NO_CALIPER);
    await waitFor(() => expect(view.getByTestId('caliper-reading').textContent).toBe('click two points on a lead'));
    expect(app.selected).toBe(4); // neither key touched the selection
    await fireEvent.keyDown(window, { key: 'm' });
    expect(app.calipersOn).toBe(false);
    await waitFor(() => expect(view.queryByTestId('caliper-reading')).toBeNull());
    expect(review.container.querySelector('.legend')!.textContent).toMatch(/M calipers \(click two points on a lead; Esc clears\)/);
    review.unmount();
  });

  it('Metrics: per-class table follows corrections', async () => {
    const { app, calls } = await makeApp();
    await app.review('rec-1', 'run-1');
    render(Metrics, { app });
    const tp = (l: string) => screen.getByTestId('class-table').querySelector(`tr[data-class=${l}] td.tp`)!.textContent;
    await waitFor(() => expect(tp('N')).toBe('4'));
    await app.relabel([2], 'N', 'accept-model');
    await waitFor(() => expect(tp('N')).toBe('5'));
    expect(calls.filter((c) => c.startsWith('metrics corrected 1')).length).toBeGreaterThan(0);
    // The confusion matrix cell of (reference V, model N) empties after the correction.
    const cells = screen.getByTestId('confusion').querySelectorAll('tbody tr');
    expect(cells[2].querySelectorAll('td')[0].textContent).toBe('0');
  });

  it('Metrics: the EC57 panel, from minute 5 or from the start, follows corrections', async () => {
    const { app, calls } = await makeApp();
    await app.review('rec-1', 'run-1');
    // Earlier tests' components stay mounted: query this one's container only.
    const view = within(render(Metrics, { app }).container);
    // The fake recording lasts 10 s: nothing to compare from minute 5, and the panel says why.
    await waitFor(() => expect(view.getByTestId('ec57-unavailable').textContent).toMatch(/ends before minute 5.*from the start/));
    await fireEvent.change(view.getByTestId('ec57-from'), { target: { value: 'start' } });
    await waitFor(() => expect(calls).toContain('metrics corrected 0 start'));
    const cell = (row: string, c: string) => view.getByTestId('ec57-gross').querySelector(`tr[data-kind=${row}] td.${c}`)!.textContent;
    // reference NNVNNSNV, model NNNNVSNV: V beats 2 missed, 7 found, 4 extra; 5 non-V beats labelled non-V
    await waitFor(() => expect([cell('veb', 'se'), cell('veb', 'ppv'), cell('veb', 'fpr'), cell('veb', 'ref')]).toEqual(['50.0', '50.0', '16.67', '2']));
    expect([cell('sveb', 'se'), cell('sveb', 'ppv'), cell('sveb', 'ref')]).toEqual(['100.0', '100.0', '1']);
    const runs = view.getByTestId('ec57-runs');
    const run = (r: string) => [...runs.querySelectorAll(`tr[data-run=${r}] td`)].map((td) => td.textContent);
    // no runs in either: every figure undefined
    expect(run('couplets')).toEqual(['—', '—', '—', '—', '0', '0']);
    expect(view.getByTestId('ec57').textContent).toMatch(/N beats inside atrial fibrillation/);
    // Beat 6 corrected to V: the reference gains a V couplet (6–7) that the model, labelling 6 N, misses.
    await app.relabel([6], 'V', 'manual');
    await waitFor(() => expect(cell('veb', 'ref')).toBe('3'));
    expect([cell('veb', 'se'), cell('veb', 'ppv')]).toEqual(['33.3', '50.0']);
    expect(run('couplets')).toEqual(['0.0', '—', '—', '—', '1', '0']);
  });

  it("Metrics: the calibration panel shows getMetrics' figures, one diagram mark per non-empty bin, which way the confidence errs, and follows corrections", async () => {
    const { app } = await makeApp();
    await app.review('rec-1', 'run-1');
    const view = within(render(Metrics, { app }).container);
    const c = (await app.api.getMetrics({ runId: 'run-1', reference: 'corrected', corrections: [] })).calibration!;
    const panel = () => view.getByTestId('calibration');
    const figure = (k: string) => view.getByTestId('calibration-figures').querySelector(`tr[data-key=${k}] td`)!.textContent;
    await waitFor(() => expect(figure('ece')).toBe(`${(c.ece * 100).toFixed(1)} %`));
    // By hand (fake-api's PROBS): 8 beats claiming 82 % on average, 6 right; bins 0.5–0.6 (2 beats, conf 0.535, acc 0.5),
    // 0.6–0.7 (1, 0.7, 0), 0.8–0.9 (1, 0.9, 1), 0.9–1 (4, 0.9725, 1): ECE (2·0.035 + 0.7 + 0.1 + 4·0.0275) / 8 = 12.25 %.
    expect(['ece', 'mce', 'brier', 'confidence', 'accuracy'].map(figure)).toEqual(['12.2 %', '70.0 %', c.brier.toFixed(3), '82.0 %', '75.0 %']);
    expect(c.brier.toFixed(3)).toBe('0.261');
    expect(view.getByTestId('calibration-verdict').textContent).toBe('Over-confident: its labels claim 82.0 % on average and are right 75.0 % of the time.');
    expect(panel().textContent).toMatch(/A calibrated model's 90 % labels are right 9 times in 10; Review's "low confidence" jump \(C: beats at or below 78\.0 %, the least confident 10 % of this model's beats on DS2\) relies on it/);
    expect(panel().textContent).toMatch(/Over the 8 beats the accuracy counts, against the annotator with your corrections\./);
    // The diagram: one mark per non-empty bin, its beats shown and in its tooltip; orange (over) where accuracy < confidence.
    const marks = () => [...view.getByTestId('reliability').querySelectorAll('g.bin')];
    expect(c.bins.filter((b) => b.beats > 0)).toHaveLength(4);
    expect(marks().map((g) => [g.getAttribute('data-bin'), g.getAttribute('data-beats'), g.querySelector('text.count')!.textContent, g.classList.contains('over')]))
      .toEqual([['5', '2', '2', true], ['6', '1', '1', true], ['8', '1', '1', false], ['9', '4', '4', false]]);
    expect(marks().every((g) => g.querySelectorAll('rect.bar').length === 1 && g.querySelectorAll('circle.dot').length === 1)).toBe(true);
    expect(marks()[1].querySelector('title')!.textContent).toBe('Confidence 60–70 %: 1 beat, mean confidence 70.0 %, accuracy 0.0 %');
    expect(view.getByTestId('reliability').querySelector('line.diagonal')).not.toBeNull();
    // One-vs-rest ECE of each class.
    const classwise = [...view.getByTestId('calibration-classwise').querySelectorAll('tbody tr')].map((tr) => [tr.getAttribute('data-class'), tr.querySelector('td.beats')!.textContent, tr.querySelector('td.ece')!.textContent]);
    expect(classwise).toEqual(c.classwise.map((k) => [k.label, String(k.beats), (k.ece * 100).toFixed(1)]));
    expect(classwise.map(([l, b]) => [l, b])).toEqual([['N', '5'], ['S', '1'], ['V', '2'], ['F', '0'], ['Q', '0']]);
    // Review triage, by hand: least confident first, beats 6 (0.52, right), 2 (0.55, wrong), 4 (0.7, wrong), 5 (0.9,
    // Float32 just under), … Up to 10 % of 8 beats is 1 beat (beat 6: no error), 20 % 2 beats (one of the 2 errors),
    // 50 % 4 beats (both). Bold where the share of errors found exceeds the share of beats checked.
    const triage = () => view.getByTestId('triage-table');
    const rows = () => [...triage().querySelectorAll('tbody tr')];
    expect(triage().querySelector('caption')!.textContent).toBe('Review triage — check the least confident beats first (2 errors in 8 beats)');
    expect([...triage().querySelectorAll('thead th')].map((th) => th.textContent)).toEqual(['Beats checked (%)', 'Beats', 'Confidence ≤ (%)', 'Errors found', "Share of the model's errors (%)"]);
    expect(rows().map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['1.0', '1', '52.0', '0', '0.0'], ['2.0', '1', '52.0', '0', '0.0'], ['5.0', '1', '52.0', '0', '0.0'], ['10.0', '1', '52.0', '0', '0.0'],
      ['20.0', '2', '55.0', '1', '50.0'], ['50.0', '4', '90.0', '2', '100.0'],
    ]);
    expect(rows().map((tr) => tr.classList.contains('better'))).toEqual([false, false, false, false, true, true]);
    expect(c.triage.map((t) => [t.share, t.beats, t.errorsFound, t.errorShare])).toEqual([[0.01, 1, 0, 0], [0.02, 1, 0, 0], [0.05, 1, 0, 0], [0.1, 1, 0, 0], [0.2, 2, 1, 0.5], [0.5, 4, 2, 1]]);
    expect(c.errors).toBe(2);
    expect(view.getByTestId('triage').textContent).toMatch(/Checking beats at random finds errors in proportion to the beats checked; a useful confidence finds more/);
    expect(view.queryByTestId('triage-none')).toBeNull();
    // The reviewer sides with the model on its two mistakes (beats 2 and 4): every label right, confidence 82 % < 100 %.
    await app.relabel([2], 'N', 'accept-model');
    await app.relabel([4], 'V', 'accept-model');
    await waitFor(() => expect(figure('accuracy')).toBe('100.0 %'));
    expect(view.getByTestId('calibration-verdict').textContent).toMatch(/^Under-confident: its labels claim 82\.0 % on average and are right 100\.0 % of the time/);
    expect(figure('ece')).toBe('18.0 %');
    expect(marks().map((g) => g.classList.contains('over'))).toEqual([false, false, false, false]);
    // No error left: the triage has nothing to find, and says so instead of its table.
    expect(view.getByTestId('triage-none').textContent).toBe('Review triage: the model made no error on these beats, so checking the least confident first has nothing to find.');
    expect(view.queryByTestId('triage-table')).toBeNull();
  });

  it('Metrics: a run without class probabilities says so instead of the calibration panel', async () => {
    const { app } = await makeApp();
    const getMetrics = app.api.getMetrics.bind(app.api);
    app.api.getMetrics = async (req) => ({ ...(await getMetrics(req)), roc: [], calibration: null });
    await app.review('rec-1', 'run-1');
    const view = within(render(Metrics, { app }).container);
    await waitFor(() => expect(view.getByTestId('calibration-none').textContent).toMatch(/this run has no class probabilities/));
    expect(view.queryByTestId('reliability')).toBeNull();
    expect(view.queryByTestId('calibration-figures')).toBeNull();
    expect(view.queryByTestId('triage')).toBeNull();
    expect(view.getByTestId('class-table')).not.toBeNull();
  });

  it("Review: the low-confidence jump (button and C) stops at or below the run's model card's DS2 triage threshold, else below 60 %, and says which and how many", async () => {
    // run-1 by cnn, whose card's least confident 10 % of DS2 beats sit at or below 78.0 % and hold 50.6 % of its errors.
    const { app } = await makeApp();
    await app.review('rec-1', 'run-1');
    const review = render(Review, { app });
    const view = within(review.container);
    const button = view.getByTestId('next-low-confidence');
    expect(button.textContent).toBe('low confidence (≤ 78 %) ›');
    // confidences 0.99 0.97 0.55 0.98 0.7 0.9 0.52 0.95: beats 2, 4 and 6 at or below 78 %
    const title = "Beats at or below 78.0 %: on DS2 the least confident 10 % of this model's beats, which held 50.6 % of its errors. This run: 3 of its 8 classified beats (37.5 %). Key C (Shift+C: back).";
    expect(button.getAttribute('title')).toBe(title);
    expect(view.getByTestId('low-confidence-count').textContent).toBe('3 low confidence');
    expect(view.getByTestId('low-confidence-count').getAttribute('title')).toBe(title);
    expect(review.container.querySelector('.legend')!.textContent).toMatch(/C\/Shift\+C low confidence \(≤ 78 %\)/);
    expect(app.selected).toBe(0);
    const stops: number[] = [];
    for (let k = 0; k < 3; k++) { await fireEvent.click(button); stops.push(app.selected); }
    expect(stops).toEqual([2, 4, 6]);
    await fireEvent.click(button);
    expect(app.selected).toBe(6);
    expect(app.notices.at(-1)?.text).toBe('No beat at or below 78.0 % in that direction');
    await fireEvent.keyDown(window, { key: 'C', shiftKey: true });
    expect(app.selected).toBe(4);
    review.unmount();

    // The same beats classified by student, whose older card has no triage: the fixed "below 60 %" (beats 2 and 6).
    const old = await makeApp((t) => {
      const listRuns = t.api.listRuns.bind(t.api);
      t.api.listRuns = async () => (await listRuns()).map((r) => ({ ...r, modelId: 'student' }));
    });
    await old.app.review('rec-1', 'run-1');
    const oldReview = render(Review, { app: old.app });
    const oldView = within(oldReview.container);
    const oldButton = oldView.getByTestId('next-low-confidence');
    expect(oldButton.textContent).toBe('low confidence (< 60 %) ›');
    expect(oldButton.getAttribute('title')).toBe('Beats below 60.0 %: a fixed threshold (the model card gives no DS2 review triage). This run: 2 of its 8 classified beats (25.0 %). Key C (Shift+C: back).');
    expect(oldView.getByTestId('low-confidence-count').textContent).toBe('2 low confidence');
    await fireEvent.keyDown(window, { key: 'c' });
    expect(old.app.selected).toBe(2);
    await fireEvent.keyDown(window, { key: 'c' });
    expect(old.app.selected).toBe(6); // beat 4 (0.7) is not below 60 %
    oldReview.unmount();
    // Metrics says the same threshold.
    const metrics = render(Metrics, { app: old.app });
    await waitFor(() => expect(within(metrics.container).getByTestId('calibration').textContent).toMatch(/Review's "low confidence" jump \(C: beats below 60\.0 %\) relies on it/));
    metrics.unmount();

    // A cnn run adapted to the patient keeps the card's threshold, and the tooltip says it was measured before adapting.
    const adapted = await makeApp((t) => {
      const listRuns = t.api.listRuns.bind(t.api);
      t.api.listRuns = async () => (await listRuns()).map((r) => ({ ...r, adaptation: { minutes: 5, labels: { from: 'reference' as const, annotator: 'atr' }, beats: { N: 80 }, epochs: 10, firstLoss: 0.1, lastLoss: 0.08 } }));
    });
    await adapted.app.review('rec-1', 'run-1');
    const adaptedReview = render(Review, { app: adapted.app });
    const adaptedButton = within(adaptedReview.container).getByTestId('next-low-confidence');
    expect(adaptedButton.textContent).toBe('low confidence (≤ 78 %) ›');
    expect(adaptedButton.getAttribute('title')).toMatch(/which held 50\.6 % of its errors\. Measured on the model as shipped: this run's model was adapted to the patient, which changes its confidence\. This run: 3 of its 8/);
    adaptedReview.unmount();
  });

  it("Review: the premature-N jump (button, P and Shift+P) stops where nextPremature says, and its count follows a correction", async () => {
    // The fake's own beats are exactly 400 samples apart: nothing is early, P says so and leaves the selection.
    const plain = await makeApp();
    await plain.app.review('rec-1', 'run-1');
    const plainReview = render(Review, { app: plain.app });
    const plainLabel = (i: number): string => plain.app.labelOf(i).label;
    expect(within(plainReview.container).getByTestId('premature-count').textContent).toBe(`${countPremature(BEATS, plainLabel)} premature N`);
    expect(nextPremature(BEATS, 0, 1, plainLabel)).toBe(-1);
    await fireEvent.keyDown(window, { key: 'p' });
    expect(plain.app.selected).toBe(0);
    expect(plain.app.notices.at(-1)?.text).toBe('No premature N beat in that direction');
    plainReview.unmount();

    // The same beats with two of them 100 samples early (RR 0.75 × the median before): beat 3, which the model calls
    // N, and beat 5, which it calls S (an APC it caught, so not a stop).
    const early = { ...BEATS, samples: BEATS.samples.map((s, i) => (i === 3 || i === 5 ? s - 100 : s)) };
    const { app } = await makeApp((t) => { t.api.listBeats = async () => early; });
    await app.review('rec-1', 'run-1');
    const review = render(Review, { app });
    const view = within(review.container);
    const label = (i: number): string => app.labelOf(i).label;
    const count = (): string | null => view.getByTestId('premature-count').textContent;
    const first = nextPremature(early, 0, 1, label);
    expect(first).toBeGreaterThanOrEqual(0); // not vacuous
    expect(count()).toBe(`${countPremature(early, label)} premature N`);
    expect(countPremature(early, label)).toBeGreaterThan(0);
    expect(view.getByTestId('premature-count').getAttribute('title')).toMatch(/^Beats shown as N whose RR before is under 0\.85 × the median of the up to 8 RR intervals before them \(at least 15 % early\).*sinus arrhythmia/);
    expect(review.container.querySelector('.legend')!.textContent).toMatch(/P\/Shift\+P premature N \(RR before < 0\.85 × the median of the 8 before\)/);

    expect(app.selected).toBe(0);
    await fireEvent.keyDown(window, { key: 'p' });
    expect(app.selected).toBe(first);
    const second = nextPremature(early, first, 1, label); // -1 (beat 5 is shown S): P then stays put
    await fireEvent.keyDown(window, { key: 'p' });
    expect(app.selected).toBe(second < 0 ? first : second);
    app.selected = early.samples.length - 1;
    await fireEvent.keyDown(window, { key: 'P', shiftKey: true });
    expect(app.selected).toBe(nextPremature(early, early.samples.length - 1, -1, label));
    app.selected = 0;
    await fireEvent.click(view.getByTestId('next-premature'));
    expect(app.selected).toBe(first);
    expect(view.getByTestId('next-premature').textContent).toBe('premature N ›');

    // The reviewer relabels it S (key 2): the count drops by one and P no longer stops there.
    const before = countPremature(early, label);
    await fireEvent.keyDown(window, { key: '2', code: 'Digit2' });
    await waitFor(() => expect(app.corrections.get(early.samples[first])?.label).toBe('S'));
    await waitFor(() => expect(count()).toBe(`${before - 1} premature N`));
    expect(countPremature(early, label)).toBe(before - 1);
    app.selected = 0;
    await fireEvent.keyDown(window, { key: 'p' });
    expect(app.selected).toBe(Math.max(0, nextPremature(early, 0, 1, label)));
    expect(app.selected).not.toBe(first);
    review.unmount();
  });

  it('calibration formats: percent with one decimal, Brier with three, over-confident only when confidence exceeds accuracy, compact bin counts', () => {
    expect([percent(0.12249), percent(null), brierText(0.26112), brierText(undefined)]).toEqual(['12.2', '—', '0.261', '—']);
    expect([confidenceVerdict({ meanConfidence: 0.9, accuracy: 0.8 }), confidenceVerdict({ meanConfidence: 0.8, accuracy: 0.8 }), confidenceVerdict({ meanConfidence: 0.7, accuracy: 0.8 })])
      .toEqual(['over-confident', 'under-confident', 'under-confident']);
    expect([950, 4120, 41235].map(compactCount)).toEqual(['950', '4.1k', '41k']);
    const marks = reliabilityMarks([{ lo: 0, hi: 0.1, beats: 0, confidence: null, accuracy: null }, { lo: 0.9, hi: 1, beats: 3, confidence: 0.95, accuracy: 1 }]);
    expect(marks).toEqual([{ index: 1, lo: 0.9, hi: 1, beats: 3, confidence: 0.95, accuracy: 1, over: false, title: 'Confidence 90–100 %: 3 beats, mean confidence 95.0 %, accuracy 100.0 %' }]);
  });

  it('Classify: "Adapt to this patient" learns from the reference or from the reviewed run, within the recording; the run list names the adaptation', async () => {
    const { transport, calls } = fakeTransport();
    // A 30-minute recording (the fake's own lasts 10 s), the baseline beside the CNN, and an adapted run.
    const rec: RecordingSummary = { ...REC, length: 648_000, durationSeconds: 1800 };
    const adapted: RunSummary = {
      id: 'run-2', recordingId: 'rec-1', modelId: 'cnn', createdAt: new Date(0).toISOString(), beats: 8, disagreements: 0, elapsedMs: 1, beatSource: 'reference',
      adaptation: { minutes: 5, labels: { from: 'reference', annotator: 'atr' }, beats: { N: 80, S: 215 }, epochs: 10, firstLoss: 0.1, lastLoss: 0.08 },
    };
    const runs = await transport.api.listRuns();
    const baseline: ModelSummary = { id: BASELINE_MODEL_ID, name: 'RR + morphology rules', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card: {} };
    transport.api.listRecordings = async () => [rec];
    transport.api.listModels = async () => [{ id: 'cnn', name: 'CNN', description: '', classes: ['N', 'S', 'V', 'F'], input: '', card: {} }, baseline];
    transport.api.listRuns = async () => [...runs, adapted];
    const app = new AppState(transport, openReviewDb(`test-${n++}`, new IDBFactory(), IDBKeyRange));
    await app.init();
    await app.review('rec-1', 'run-1');
    // Two corrections in the first 5 minutes.
    await app.relabel([2], 'V', 'manual');
    await app.relabel([4], 'N', 'manual');
    const view = render(Classify, { app });
    expect(view.queryByTestId('adapt-note')).toBeNull();
    await fireEvent.click(view.getByTestId('adapt-toggle'));
    expect(view.getByTestId('adapt-note').textContent).toMatch(/fine-tuned on those beats .* score the run from minute 5 \(the Metrics view's EC57 panel scores from minute 5 by default\); figures of an adapted run are patient-specific and not comparable with patient-independent ones/);
    expect((view.getByTestId('adapt-from-reference') as HTMLInputElement).checked).toBe(true);
    expect(view.getByTestId('adapt').textContent).toMatch(/this run's reviewed labels \(model \+ your 2 corrections\)/);
    await fireEvent.click(view.getByTestId('start-classify'));
    expect(calls.at(-1)).toBe(`classify ${JSON.stringify([['rec-1'], 'cnn', { adapt: { minutes: 5, labels: { from: 'reference' } } }])}`);
    // The run's reviewed labels, with the corrections, and a 10-minute learning period.
    await fireEvent.click(view.getByTestId('adapt-from-run'));
    await fireEvent.input(view.getByTestId('adapt-minutes'), { target: { value: '10' } });
    await waitFor(() => expect(view.getByTestId('adapt-note').textContent).toMatch(/score the run from minute 10/));
    await fireEvent.click(view.getByTestId('start-classify'));
    const sent = JSON.parse(calls.at(-1)!.slice('classify '.length));
    expect(sent[2].adapt).toEqual({ minutes: 10, labels: { from: 'run', runId: 'run-1', corrections: [{ sample: BEATS.samples[2], label: 'V' }, { sample: BEATS.samples[4], label: 'N' }] } });
    // Longer than the recording: said, and not sent.
    await fireEvent.input(view.getByTestId('adapt-minutes'), { target: { value: '40' } });
    await waitFor(() => expect(view.getByTestId('adapt').querySelector('[role=alert]')?.textContent).toMatch(/at most 30\.0 min/));
    expect((view.getByTestId('start-classify') as HTMLButtonElement).disabled).toBe(true);
    // The rule-based baseline cannot be adapted.
    await fireEvent.change(view.getByTestId('model-select'), { target: { value: BASELINE_MODEL_ID } });
    await waitFor(() => expect((view.getByTestId('adapt-toggle') as HTMLInputElement).disabled).toBe(true));
    expect(view.getByTestId('adapt').textContent).toMatch(/the rule-based baseline has no network to adapt/);
    view.unmount();
    // Review's run list names the adapted run's adaptation.
    const review = render(Review, { app });
    const options = [...within(review.container).getByTestId('run-select').querySelectorAll('option')].map((o) => o.textContent);
    expect(options.some((o) => /^cnn, adapted on 80 N, 215 S beats, first 5 min of atr · /.test(o ?? ''))).toBe(true);
    review.unmount();
  });

  it('a finished classification is logged in the workspace (Dexie) with what an adapted run learnt', async () => {
    const { transport } = fakeTransport();
    let listener: ((e: ApiEvent) => void) | null = null;
    transport.onEvent = (l) => { listener = l; return () => { listener = null; }; };
    const adaptation: RunAdaptation = { minutes: 5, labels: { from: 'reference', annotator: 'atr' }, beats: { N: 80, S: 215 }, epochs: 10, firstLoss: 0.1, lastLoss: 0.08 };
    const adapted: RunSummary = { id: 'run-2', recordingId: 'rec-1', modelId: 'cnn', createdAt: new Date(0).toISOString(), beats: 8, disagreements: 1, elapsedMs: 1, beatSource: 'reference', adaptation };
    const listRuns = transport.api.listRuns.bind(transport.api);
    transport.api.listRuns = async () => [...(await listRuns()), adapted];
    const db = openReviewDb(`test-${n++}`, new IDBFactory(), IDBKeyRange);
    const app = new AppState(transport, db);
    await app.init();
    listener!({ type: 'job', job: { id: 'job-2', kind: 'classify', state: 'done', recordingIds: ['rec-1'], modelId: 'cnn', progress: 1, message: 'done', runIds: ['run-2'] } });
    await waitFor(async () => expect((await db.runs.get('run-2'))?.adaptation).toEqual(adaptation));
    expect(await db.runs.get('run-2')).toMatchObject({ recordingPath: REC.path, modelId: 'cnn', beats: 8 });
  });

  it('start-up: a tab picked while the workspace is still reopening wins, and the saved position survives', async () => {
    const idb = new IDBFactory();
    const dbName = `test-${n++}`;
    // First session: review rec-1 beat 3, then go to Classify; that is what gets saved.
    const first = new AppState(fakeTransport().transport, openReviewDb(dbName, idb, IDBKeyRange));
    await first.init();
    await first.review('rec-1', 'run-1');
    first.selected = 3;
    first.view = 'classify';
    await first.savePosition();
    // Second session on a slow service: the user clicks Review before start-up has finished.
    const { transport } = fakeTransport();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const listRecordings = transport.api.listRecordings.bind(transport.api);
    // Start-up is waiting on the service once it asks for the recordings (it has read the saved position by then);
    // a fixed delay raced with the IndexedDB reads before it on a loaded machine.
    let waiting!: () => void;
    const atGate = new Promise<void>((r) => (waiting = r));
    transport.api.listRecordings = async () => { waiting(); await gate; return listRecordings(); };
    const app = new AppState(transport, openReviewDb(dbName, idb, IDBKeyRange));
    const started = app.init();
    await atGate;
    app.view = 'review';
    await app.savePosition(); // what Review's debounced effect does: must not wipe the saved position
    release();
    await started;
    expect(app.view).toBe('review');
    expect(app.recordingId).toBe('rec-1');
    expect(app.selected).toBe(3);
  });

  it('start-up: a recording opened while the service is still listing stays in the library', async () => {
    // The service's list is taken before the user's open reaches it; the open's answer arrives just after the
    // list's, while start-up is reading the workspace (before the open is saved there).
    const { transport } = fakeTransport();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const openRecording = transport.api.openRecording.bind(transport.api);
    let waiting!: () => void;
    const atGate = new Promise<void>((r) => (waiting = r));
    transport.api.listRecordings = async () => { waiting(); const before: RecordingSummary[] = []; await gate; return before; };
    transport.api.openRecording = async (path) => { await gate; await Promise.resolve(); return openRecording(path); };
    const app = new AppState(transport, openReviewDb(`test-${n++}`, new IDBFactory(), IDBKeyRange));
    const started = app.init();
    await atGate;
    const opened = app.openPath('/data/mitdb/208');
    release();
    expect((await opened)?.id).toBe('rec-1');
    await started;
    expect(app.recordings.map((r) => r.id)).toEqual(['rec-1']);
  });

  it('Holter: ectopy from the final labels follows a correction; an event opens its beat in Review', async () => {
    const { app, calls } = await makeApp();
    await app.review('rec-1', 'run-1');
    render(Holter, { app });
    // model labels NNNNVSNV: two isolated V beats, no couplet
    await waitFor(() => expect(screen.getByTestId('holter-ectopy').textContent).toMatch(/V\s*2\s*250\.0\s*2\s*0/));
    await app.relabel([6], 'V', 'manual');
    await waitFor(() => expect(screen.getByTestId('holter-ectopy').textContent).toMatch(/V\s*3\s*375\.0\s*1\s*1/));
    expect(calls).toContain('holter final 1 2');
    expect(calls).toContain('holter reference 1 2');
    // the reference NNVNNSNV with the same correction: two V beats at 2 and 7, one more at 6
    await waitFor(() => expect(screen.getByTestId('holter-compare').textContent).toMatch(/V beats\s*3\s*3\s*0/));
    expect(screen.getByTestId('holter-compare').textContent).toMatch(/V couplets\s*1\s*1\s*0/);
    // RR here is 1.11 s: a 1-s pause threshold lists every interval as a pause
    await fireEvent.input(screen.getByRole('spinbutton'), { target: { value: '1' } });
    await waitFor(() => expect(screen.getByTestId('holter-events').querySelectorAll('li').length).toBeGreaterThanOrEqual(7));
    await fireEvent.click(screen.getByTestId('holter-events').querySelectorAll('button')[3]);
    expect(app.view).toBe('review');
    expect(app.selected).toBe(3);
  });
});
