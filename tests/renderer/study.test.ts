/**
 * The Study tab against the fake API's study (three recordings, cnn and student): it asks for each arm's newest run
 * of every open recording (`studyArm`: a model, or a model adapted with its learning period), its tables show the
 * figures and intervals getStudy returns, unticking an arm asks again without that arm's runs, the corrected reference
 * sends each run's recording's live corrections from Dexie, the CSV button downloads `result.csv`, a plain and an
 * adapted run of one model on the same recording are both pooled, in two groups with a pair between them, an adapted
 * arm is flagged patient-specific, each arm's calibration (pooled ECE, MCE, Brier, over- or under-confident; ECE and
 * Brier per recording) is shown, or said to be missing without class probabilities, "Report" sends the shown study's request to exportStudyReport and offers its HTML
 * and PDF (or warns why there is no PDF), and with runs on one recording the tab says what it needs. The expected
 * cells are the fake's answer to the same request, formatted here.
 */
import { fireEvent, render, waitFor, within } from '@testing-library/svelte';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Study from '../../src-renderer/views/Study.svelte';
import App from '../../src-renderer/App.svelte';
import { addCorrection, openReviewDb, undoLast } from '../../src-renderer/lib/db.js';
import { AppState } from '../../src-renderer/lib/store.svelte.js';
import type { RunAdaptation, RunSummary, StudyInterval, StudyRequest, StudyResult } from '../../src-main/api/contract.js';
import { FAKE_STUDY_PDF, STUDY_RECORDINGS, STUDY_RUNS, fakeStudy, fakeStudyReport, fakeTransport, studyTransport } from './fake-api.js';

let n = 0;
async function makeApp(t = studyTransport()): Promise<{ app: AppState; calls: string[] }> {
  const app = new AppState(t.transport, openReviewDb(`study-${n++}`, new IDBFactory(), IDBKeyRange));
  await app.init();
  return { app, calls: t.calls };
}

const requests = (calls: string[]): StudyRequest[] => calls.filter((c) => c.startsWith('study ')).map((c) => JSON.parse(c.slice('study '.length)));
const lastRequest = (calls: string[]): StudyRequest => requests(calls).at(-1)!;

// The view's formats, restated: one decimal, "—" for none, differences signed, intervals "[lo, hi]".
const f = (v: number | null): string => (v === null ? '—' : v.toFixed(1));
const sf = (v: number | null): string => (v === null ? '—' : `${v > 0 && v.toFixed(1) !== '0.0' ? '+' : ''}${v.toFixed(1)}`);
const ci = (i: StudyInterval | null): string => (i ? `[${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}]` : '—');
const KEYS = ['N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv', 'F.se', 'F.ppv', 'accuracy', 'macroF1NSV'] as const;
const grossOf = (r: StudyResult, arm: string, k: (typeof KEYS)[number]): number | null => {
  const g = r.models.find((m) => m.arm === arm)!.gross;
  if (k === 'accuracy') return g.accuracy;
  if (k === 'macroF1NSV') return g.macroF1NSV;
  const [c, x] = k.split('.') as ['N' | 'S' | 'V' | 'F', 'se' | 'ppv'];
  return g.perClass[c][x];
};

const ADAPTATION: RunAdaptation = { minutes: 5, labels: { from: 'reference', annotator: 'atr' }, beats: { N: 300, V: 40 }, epochs: 10, firstLoss: 0.2, lastLoss: 0.1 };

afterEach(() => { vi.restoreAllMocks(); });

describe('Study tab', () => {
  it('pools each arm\'s newest run per recording; the tables show getStudy\'s figures and intervals', async () => {
    const { app, calls } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).not.toBeNull());
    const req = lastRequest(calls);
    // cnn's older run-1 on 208 is left out for s-cnn-1; no corrections with the annotator's reference.
    expect(req).toEqual({ runIds: ['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-stu-1', 's-stu-2', 's-stu-3'], reference: 'annotations' });
    const r = fakeStudy(req);
    expect(r.models.map((m) => [m.arm, m.modelId])).toEqual([['cnn', 'cnn'], ['student', 'student']]);

    // Gross: every figure with its interval below it; recordings and beats.
    const gross = view.getByTestId('study-gross');
    for (const m of r.models) {
      const row = gross.querySelector(`tr[data-model="${m.arm}"]`)!;
      expect(row.querySelector('td.recordings')!.textContent).toBe('3');
      expect(row.querySelector('td.beats')!.textContent).toBe(String(m.gross.beats));
      expect(m.gross.intervals).not.toBeNull();
      for (const k of KEYS) {
        const cell = row.querySelector(`td[data-key="${k}"]`)!;
        expect([k, cell.querySelector('.v')!.textContent, cell.querySelector('.ci')!.textContent]).toEqual([k, f(grossOf(r, m.arm, k)), ci(m.gross.intervals![k])]);
      }
    }
    // The pooled beats are the sum of the per-recording rows (the fake's matrices add up).
    const cnn = r.models[0];
    expect(cnn.gross.beats).toBe(cnn.recordings.reduce((a, x) => a + x.figures.beats, 0));
    // de Chazal 2004's row: N, S, V only.
    const yard = gross.querySelector('tr[data-yardstick]')!;
    expect(yard.textContent).toMatch(/de Chazal et al\. 2004/);
    const yv = (k: string) => yard.querySelector(`td[data-key="${k}"] .v`)!.textContent;
    expect([yv('N.se'), yv('N.ppv'), yv('S.se'), yv('S.ppv'), yv('V.se'), yv('V.ppv')]).toEqual([r.deChazal2004.N.se, r.deChazal2004.N.ppv, r.deChazal2004.S.se, r.deChazal2004.S.ppv, r.deChazal2004.V.se, r.deChazal2004.V.ppv].map(f));
    expect([yv('F.se'), yv('F.ppv'), yv('accuracy')]).toEqual(['—', '—', '—']);

    // Per recording, per model: figures, corrections, EC57 (none for the 4-minute recording).
    for (const m of r.models) {
      const section = view.getAllByTestId('study-model').find((s) => s.getAttribute('data-model') === m.arm)!;
      const table = within(section).getByRole('table', { name: `${m.arm} per recording` });
      expect(table.querySelectorAll('tbody tr').length).toBe(3);
      for (const rec of m.recordings) {
        const row = table.querySelector(`tr[data-recording="${rec.recording}"]`)!;
        const cell = (k: string) => row.querySelector(`td[data-key="${k}"]`)!.textContent;
        expect(row.querySelector('td.beats')!.textContent).toBe(String(rec.figures.beats));
        expect(['N', 'S', 'V', 'F'].flatMap((c) => [cell(`${c}.se`), cell(`${c}.ppv`)])).toEqual((['N', 'S', 'V', 'F'] as const).flatMap((c) => [f(rec.figures.perClass[c].se), f(rec.figures.perClass[c].ppv)]));
        expect(cell('accuracy')).toBe(f(rec.figures.accuracy));
        expect(row.querySelector('td.corrections')!.textContent).toBe('0');
        expect(['vebSe', 'vebPpv', 'svebSe', 'svebPpv'].map(cell)).toEqual(rec.ec57 ? [f(rec.ec57.vebSe), f(rec.ec57.vebPpv), f(rec.ec57.svebSe), f(rec.ec57.svebPpv)] : ['—', '—', '—', '—']);
      }
      expect(m.recordings.find((x) => x.recording === '232x')!.ec57).toBeNull();
      // EC57 gross and average over the two recordings that reach minute 5.
      const ec57 = within(section).getByRole('table', { name: `EC57 of ${m.arm}` });
      expect(ec57.querySelector('caption')!.textContent).toMatch(/over 2 recording\(s\)/);
      for (const kind of ['gross', 'average'] as const) {
        const e = m.ec57![kind];
        const cells = [...ec57.querySelectorAll(`tr[data-kind=${kind}] td`)].map((td) => td.textContent);
        expect(cells).toEqual([f(e.qrsSe), f(e.qrsPpv), f(e.vebSe), f(e.vebPpv), e.vebFpr === null ? '—' : e.vebFpr.toFixed(2), f(e.svebSe), f(e.svebPpv)]);
      }
      // The per-recording table collapses.
      const details = within(section).getByTestId('study-recordings') as HTMLDetailsElement;
      expect(details.open).toBe(true);
      await fireEvent.click(details.querySelector('summary')!);
      expect(details.open).toBe(false);
    }

    // The pair cnn − student, with its paired intervals and how to read them.
    const p = r.pairs[0];
    expect([p.a, p.b, p.recordings.length]).toEqual(['cnn', 'student', 3]);
    const pair = view.getByTestId('study-pairs').querySelector('tr[data-pair="cnn|student"]')!;
    for (const k of ['N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv', 'accuracy', 'macroF1NSV']) {
      const cell = pair.querySelector(`td[data-key="${k}"]`)!;
      expect([k, cell.querySelector('.v')!.textContent, cell.querySelector('.ci')!.textContent]).toEqual([k, sf(p.point[k]), ci(p.intervals![k])]);
      const i = p.intervals![k]!;
      expect(cell.classList.contains('shown')).toBe(i.lo > 0 || i.hi < 0);
    }
    // And A − B of the calibration (ECE in points, Brier), where lower is better.
    const cal = p.calibration!;
    const s2 = (v: number, d: number) => `${v > 0 ? '+' : ''}${v.toFixed(d)}`;
    expect(pair.querySelector('td[data-key="ece"] .v')!.textContent).toBe(s2(cal.point.ece!, 2));
    expect(pair.querySelector('td[data-key="brier"] .v')!.textContent).toBe(s2(cal.point.brier!, 4));
    expect(view.getByTestId('pairs-note').textContent).toMatch(/An interval that includes 0 does not show a difference/);
    expect(view.getByTestId('pairs-note').textContent).toMatch(/except in ECE and Brier, where lower is better/);
    expect(view.getByTestId('study-method').textContent).toBe(r.method);
    expect(view.queryByTestId('adapted-note')).toBeNull();
  });

  it("the calibration table shows each arm's pooled ECE, MCE and Brier and which way its confidence errs; per recording ECE and Brier", async () => {
    const { app, calls } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-calibration').querySelector('tr[data-model=student] td[data-key=ece]')).not.toBeNull());
    const r = fakeStudy(lastRequest(calls));
    const pc = (v: number): string => (v * 100).toFixed(1);
    for (const m of r.models) {
      const c = m.calibration!;
      const row = view.getByTestId('study-calibration').querySelector(`tr[data-model="${m.arm}"]`)!;
      const cell = (k: string) => (row.querySelector(`td[data-key="${k}"] .v`) ?? row.querySelector(`td[data-key="${k}"]`))!.textContent;
      expect(row.querySelector('td.beats')!.textContent).toBe(String(c.beats));
      expect(['ece', 'mce', 'brier', 'confidence', 'accuracy'].map(cell)).toEqual([pc(c.ece), pc(c.mce), c.brier.toFixed(3), pc(c.meanConfidence), pc(c.accuracy)]);
      // ECE and Brier intervals over the arm's recordings, below each, as the fake's calibration gives them.
      const ci = (k: string) => row.querySelector(`td[data-key="${k}"] .ci`)?.textContent;
      if (m.recordings.length >= 2) {
        const iv = c.intervals!;
        expect(iv.records).toBe(m.recordings.length);
        expect([ci('ece'), ci('brier')]).toEqual([`[${pc(iv.ece!.lo)}, ${pc(iv.ece!.hi)}]`, `[${iv.brier!.lo.toFixed(3)}, ${iv.brier!.hi.toFixed(3)}]`]);
        expect(iv.ece!.lo).toBeLessThanOrEqual(c.ece);
        expect(iv.ece!.hi).toBeGreaterThanOrEqual(c.ece);
      } else expect(ci('ece')).toBeUndefined();
      // Pooled over the same N, S, V and F reference beats as the gross figures.
      expect(c.beats).toBe(m.gross.beats);
      const table = within(view.getAllByTestId('study-model').find((x) => x.getAttribute('data-model') === m.arm)!).getByRole('table', { name: `${m.arm} per recording` });
      for (const rec of m.recordings) {
        const tr = table.querySelector(`tr[data-recording="${rec.recording}"]`)!;
        expect([tr.querySelector('td[data-key=ece]')!.textContent, tr.querySelector('td[data-key=brier]')!.textContent]).toEqual([pc(rec.calibration!.ece), rec.calibration!.brier.toFixed(3)]);
      }
    }
    // The fake's cnn claims less than it gets right, its student more.
    const verdict = (arm: string) => view.getByTestId('study-calibration').querySelector(`tr[data-model="${arm}"] td.verdict`)!.textContent;
    expect([r.models[0].calibration!.meanConfidence < r.models[0].calibration!.accuracy, r.models[1].calibration!.meanConfidence > r.models[1].calibration!.accuracy]).toEqual([true, true]);
    expect([verdict('cnn'), verdict('student')]).toEqual(['under-confident', 'over-confident']);
    expect(view.getByText(/A calibrated model's 90 % labels are right 9 times in 10/)).not.toBeNull();
  });

  it("the burden table shows each arm's Bland–Altman of V and S burden; each recording its burdens, reference → model", async () => {
    const { app, calls } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-burden').querySelector('tr[data-model=student]')).not.toBeNull());
    const r = fakeStudy(lastRequest(calls));
    const sg = (v: number): string => `${v > 0 ? '+' : ''}${v.toFixed(2)}`;
    let rows = 0;
    for (const m of r.models) {
      const row = view.getByTestId('study-burden').querySelector(`tr[data-model="${m.arm}"]`)!;
      const cell = (k: string) => row.querySelector(`td[data-key="${k}"]`)?.textContent;
      for (const c of ['V', 'S'] as const) {
        const a = m.burden[c];
        if (m.recordings.length < 2) { expect(a).toBeNull(); expect(cell(`${c}.none`)).toMatch(/fewer than two recordings/); continue; }
        rows++;
        expect([cell(`${c}.bias`), cell(`${c}.limits`), cell(`${c}.largest`)]).toEqual([sg(a!.bias), `${sg(a!.lower)} to ${sg(a!.upper)}`, `${a!.largest.recording}: ${sg(a!.largest.difference)}`]);
        // The limits are bias ± 1.96 SD of the recordings' differences, which the per-recording burdens give.
        const d = m.recordings.map((x) => x.burden![c].model - x.burden![c].reference);
        const bias = d.reduce((x, y) => x + y, 0) / d.length;
        expect(a!.bias).toBeCloseTo(bias, 9);
        expect(a!.upper - a!.bias).toBeCloseTo(1.96 * Math.sqrt(d.reduce((x, y) => x + (y - bias) ** 2, 0) / (d.length - 1)), 9);
      }
      const table = within(view.getAllByTestId('study-model').find((x) => x.getAttribute('data-model') === m.arm)!).getByRole('table', { name: `${m.arm} per recording` });
      for (const rec of m.recordings) {
        const tr = table.querySelector(`tr[data-recording="${rec.recording}"]`)!;
        expect(tr.querySelector('td[data-key="V.burden"]')!.textContent).toBe(`${rec.burden!.V.reference.toFixed(2)} → ${rec.burden!.V.model.toFixed(2)}`);
      }
    }
    expect(rows).toBeGreaterThan(0);
  });

  it('an arm without class probabilities has no calibration: said in its row, "—" per recording', async () => {
    const t = studyTransport();
    t.transport.api.getStudy = async (req) => {
      const r = fakeStudy(req);
      return { ...r, models: r.models.map((m) => (m.arm === 'student' ? { ...m, calibration: null, recordings: m.recordings.map((x) => ({ ...x, calibration: null })) } : m)) };
    };
    const { app } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-calibration').querySelector('tr[data-model=student] td.none')?.textContent).toMatch(/no class probabilities/));
    expect(view.getByTestId('study-calibration').querySelector('tr[data-model=cnn] td[data-key=ece]')).not.toBeNull();
    const table = within(view.getAllByTestId('study-model').find((x) => x.getAttribute('data-model') === 'student')!).getByRole('table', { name: 'student per recording' });
    expect([...table.querySelectorAll('td[data-key=ece], td[data-key=brier]')].map((td) => td.textContent)).toEqual(['—', '—', '—', '—', '—', '—']);
  });

  it('unticking an arm asks again without its runs; ticking it back brings them back', async () => {
    const { app, calls } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).not.toBeNull());
    const before = requests(calls).length;
    await fireEvent.click(view.getByTestId('study-model-student'));
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).toBeNull());
    expect(requests(calls).length).toBe(before + 1);
    expect(lastRequest(calls).runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3']);
    expect(view.queryByTestId('study-pairs')).toBeNull();
    expect(view.getAllByTestId('study-model').map((s) => s.getAttribute('data-model'))).toEqual(['cnn']);
    // The runs listed again (as after any job) with the same ids: not asked again.
    await app.refreshRuns();
    await new Promise((r) => setTimeout(r, 20));
    expect(requests(calls).length).toBe(before + 1);
    await fireEvent.click(view.getByTestId('study-model-cnn'));
    await waitFor(() => expect(view.getByTestId('study-none').textContent).toMatch(/Tick at least one model/));
    expect(view.queryByTestId('study-gross')).toBeNull();
    expect(requests(calls).length).toBe(before + 1);
    await fireEvent.click(view.getByTestId('study-model-student'));
    await waitFor(() => expect(lastRequest(calls).runIds).toEqual(['s-stu-1', 's-stu-2', 's-stu-3']));
    await fireEvent.click(view.getByTestId('study-model-cnn'));
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    expect(lastRequest(calls).runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-stu-1', 's-stu-2', 's-stu-3']);
  });

  it('the corrected reference sends each run its recording\'s live corrections, and follows a new one', async () => {
    const { app, calls } = await makeApp();
    const [r208, r100] = STUDY_RECORDINGS;
    const add = (recordingPath: string, sample: number, label: 'N' | 'S' | 'V') => addCorrection(app.db, { recordingPath, sample, label, previous: 'N', reviewer: 'r', provenance: 'manual', runId: null, group: `${recordingPath}-${sample}` });
    await add(r208.path, 500, 'V');
    await add(r208.path, 900, 'N');
    await add(r100.path, 1300, 'S');
    await add(r100.path, 1700, 'V');
    await undoLast(app.db, r100.path); // undone: not sent
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    expect(lastRequest(calls).corrections).toBeUndefined();
    await fireEvent.change(view.getByTestId('study-reference'), { target: { value: 'corrected' } });
    await waitFor(() => expect(lastRequest(calls).reference).toBe('corrected'));
    const c208 = [{ sample: 500, label: 'V' }, { sample: 900, label: 'N' }], c100 = [{ sample: 1300, label: 'S' }];
    expect(lastRequest(calls)).toEqual({
      runIds: ['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-stu-1', 's-stu-2', 's-stu-3'], reference: 'corrected',
      corrections: { 's-cnn-1': c208, 's-stu-1': c208, 's-cnn-2': c100, 's-stu-2': c100, 's-cnn-3': [], 's-stu-3': [] },
    });
    // The per-recording rows count them, and the gross figures are the corrected ones.
    const corrected = fakeStudy(lastRequest(calls));
    const cnnTable = () => within(view.getAllByTestId('study-model')[0]).getByRole('table', { name: 'cnn per recording' });
    await waitFor(() => expect([...cnnTable().querySelectorAll('td.corrections')].map((td) => td.textContent)).toEqual(['2', '1', '0']));
    const vSe = view.getByTestId('study-gross').querySelector('tr[data-model=cnn] td[data-key="V.se"] .v')!.textContent;
    expect(vSe).toBe(f(corrected.models[0].gross.perClass.V.se));
    expect(corrected.models[0].gross.perClass.V.se).not.toBe(fakeStudy({ ...lastRequest(calls), reference: 'annotations' }).models[0].gross.perClass.V.se);
    // A correction made in Review (on 208) is sent at once.
    await app.review('rec-1', 's-cnn-1', false);
    await app.relabel([5], 'V', 'manual');
    await waitFor(() => expect(lastRequest(calls).corrections!['s-cnn-1']).toEqual([...c208, { sample: 2100, label: 'V' }]));
    expect(lastRequest(calls).corrections!['s-stu-1']).toHaveLength(3);
    await waitFor(() => expect(cnnTable().querySelector('td.corrections')!.textContent).toBe('3'));
  });

  it("a recording's name in a per-recording table opens that run in Review", async () => {
    const { app } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getAllByTestId('study-review').length).toBeGreaterThan(0));
    const row = view.getAllByTestId('study-model').find((sec) => sec.getAttribute('data-model') === 'student')!;
    const first = within(row).getAllByTestId('study-review')[0];
    const shown = app.runs.find((r) => r.modelId === 'student' && app.recordings.find((x) => x.id === r.recordingId)?.name === first.textContent)!;
    await fireEvent.click(first);
    await waitFor(() => expect([app.view, app.recordingId, app.runId]).toEqual(['review', shown.recordingId, shown.id]));
  });

  it('"Download CSV" saves result.csv', async () => {
    const { app, calls } = await makeApp();
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    const blobs: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { blobs.push(b); return 'blob:study'; });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { names.push(this.download); });
    await fireEvent.click(view.getByTestId('study-csv'));
    expect(names).toEqual(['study-annotations.csv']);
    const csv = fakeStudy(lastRequest(calls)).csv;
    expect(csv.split('\n').length).toBeGreaterThan(3);
    // jsdom's Blob has no text(): read it as a browser would.
    const text = await new Promise<string>((resolve) => { const fr = new FileReader(); fr.onload = () => resolve(String(fr.result)); fr.readAsText(blobs[0]); });
    expect(text).toBe(csv);
    expect(blobs[0].type).toBe('text/csv');
  });

  /** Downloads through `download()`: each anchor's file name and blob. */
  function catchDownloads(): { names: string[]; blobs: Blob[] } {
    const out = { names: [] as string[], blobs: [] as Blob[] };
    URL.createObjectURL = vi.fn((b: Blob) => { out.blobs.push(b); return 'blob:study'; });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { out.names.push(this.download); });
    return out;
  }
  // jsdom's Blob has no text() or arrayBuffer(): read it as a browser would.
  const blobText = (b: Blob) => new Promise<string>((resolve) => { const fr = new FileReader(); fr.onload = () => resolve(String(fr.result)); fr.readAsText(b); });
  const blobBytes = (b: Blob) => new Promise<Uint8Array>((resolve) => { const fr = new FileReader(); fr.onload = () => resolve(new Uint8Array(fr.result as ArrayBuffer)); fr.readAsArrayBuffer(b); });
  const reportRequests = (calls: string[]): StudyRequest[] => calls.filter((c) => c.startsWith('studyReport ')).map((c) => JSON.parse(c.slice('studyReport '.length)));

  it('"Report" asks exportStudyReport for the shown study and offers its HTML and PDF', async () => {
    const { app, calls } = await makeApp();
    await addCorrection(app.db, { recordingPath: STUDY_RECORDINGS[0].path, sample: 500, label: 'V', previous: 'N', reviewer: 'r', provenance: 'manual', runId: null, group: 'g1' });
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    // With the corrected reference, so the request carries corrections too.
    await fireEvent.change(view.getByTestId('study-reference'), { target: { value: 'corrected' } });
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    await waitFor(() => expect(lastRequest(calls).reference).toBe('corrected'));
    const shown = lastRequest(calls);
    expect(shown.corrections!['s-cnn-1']).toEqual([{ sample: 500, label: 'V' }]);
    await waitFor(() => expect(within(view.getAllByTestId('study-model')[0]).getByRole('table', { name: 'cnn per recording' }).querySelector('td.corrections')!.textContent).toBe('1'));
    expect(view.queryByTestId('study-report-html')).toBeNull();
    const dl = catchDownloads();

    await fireEvent.click(view.getByTestId('study-report'));
    await waitFor(() => expect(view.getByTestId('study-report-html')).toBeTruthy());
    expect(reportRequests(calls)).toEqual([shown]);
    const expected = fakeStudyReport(fakeStudy(shown));
    expect(expected.html).toMatch(/Beat classification study — 3 recordings, 2 models/);

    await fireEvent.click(view.getByTestId('study-report-html'));
    expect(dl.names).toEqual(['study-corrected-report.html']);
    expect(dl.blobs[0].type).toBe('text/html');
    expect(await blobText(dl.blobs[0])).toBe(expected.html);

    await fireEvent.click(view.getByTestId('study-report-pdf'));
    expect(dl.names).toEqual(['study-corrected-report.html', 'study-corrected-report.pdf']);
    expect(dl.blobs[1].type).toBe('application/pdf');
    const pdf = await blobBytes(dl.blobs[1]);
    expect(String.fromCharCode(...pdf)).toBe(atob(FAKE_STUDY_PDF));
    expect(String.fromCharCode(...pdf.subarray(0, 5))).toBe('%PDF-');
    // The LaTeX tables of the same study: a row per arm.
    await fireEvent.click(view.getByTestId('study-report-latex'));
    expect(dl.names.at(-1)).toBe('study-corrected.tex');
    const tex = await blobText(dl.blobs.at(-1)!);
    expect(tex).toBe(expected.latex);
    expect(tex).toMatch(/^cnn & 3 & /m);
    expect(tex).toMatch(/^student & 3 & /m);
    expect(app.notices.filter((x) => x.level !== 'info')).toEqual([]);

    // Another study (an arm unticked): the report of the previous one is no longer offered.
    await fireEvent.click(view.getByTestId('study-model-student'));
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).toBeNull());
    expect(view.queryByTestId('study-report-html')).toBeNull();
    await fireEvent.click(view.getByTestId('study-report'));
    await waitFor(() => expect(view.getByTestId('study-report-html')).toBeTruthy());
    expect(reportRequests(calls).at(-1)).toEqual(lastRequest(calls));
    expect(reportRequests(calls).at(-1)!.runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3']);
    await fireEvent.click(view.getByTestId('study-report-html'));
    expect(await blobText(dl.blobs.at(-1)!)).toMatch(/Beat classification study — 3 recordings, 1 model\b/);
  });

  it('"Report" without a PDF renderer offers the HTML only and warns why', async () => {
    const t = studyTransport();
    const why = 'no PDF renderer is configured (HTML only)';
    t.transport.api.exportStudyReport = async (req) => { t.calls.push(`studyReport ${JSON.stringify(req)}`); return fakeStudyReport(fakeStudy(req), { pdfBase64: null, pdfError: why }); };
    const { app, calls } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).not.toBeNull());
    const dl = catchDownloads();
    await fireEvent.click(view.getByTestId('study-report'));
    await waitFor(() => expect(view.getByTestId('study-report-html')).toBeTruthy());
    expect(reportRequests(calls)).toEqual([lastRequest(calls)]);
    expect(view.queryByTestId('study-report-pdf')).toBeNull();
    expect(app.notices.at(-1)).toMatchObject({ level: 'warning', text: `Study report: ${why}` });
    await fireEvent.click(view.getByTestId('study-report-html'));
    expect(dl.names).toEqual(['study-annotations-report.html']);
    expect(await blobText(dl.blobs[0])).toMatch(/<h1>Beat classification study — 3 recordings, 2 models<\/h1><h2>cnn<\/h2><h2>student<\/h2>/);
  });

  it('a failed "Report" says so', async () => {
    const t = studyTransport();
    t.transport.api.exportStudyReport = async () => { throw new Error('the study could not be rendered'); };
    const { app } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=student]')).not.toBeNull());
    await fireEvent.click(view.getByTestId('study-report'));
    await waitFor(() => expect(app.notices.at(-1)).toMatchObject({ level: 'error', text: 'Study report failed: the study could not be rendered' }));
    expect(view.queryByTestId('study-report-html')).toBeNull();
    expect((view.getByTestId('study-report') as HTMLButtonElement).disabled).toBe(false);
  });

  it('an adapted arm is flagged patient-specific, and its rows say where scoring starts', async () => {
    // student adapted on 208 and 100, plain on 232x: two arms of one model.
    const t = studyTransport();
    const runs = STUDY_RUNS.map((r) => (r.modelId === 'student' && r.recordingId !== 'rec-3' ? { ...r, adaptation: ADAPTATION } : r));
    t.transport.api.listRuns = async () => runs;
    t.transport.api.getStudy = async (req) => { t.calls.push(`study ${JSON.stringify(req)}`); return fakeStudy(req, runs); };
    const { app, calls } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getAllByTestId('adapted-note')).toHaveLength(1));
    expect(lastRequest(calls).runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-stu-3', 's-stu-1', 's-stu-2']);
    expect(view.getAllByTestId('study-model').map((s) => s.getAttribute('data-model'))).toEqual(['cnn', 'student', 'student, adapted 5 min']);
    const adapted = view.getAllByTestId('study-model').find((s) => s.getAttribute('data-model') === 'student, adapted 5 min')!;
    expect(within(adapted).getByTestId('adapted-note').textContent).toMatch(/patient-specific: student learnt each patient's first minutes.*not comparable with patient-independent.*student unadapted/);
    const gross = view.getByTestId('study-gross');
    expect(gross.querySelector('tr[data-model="student, adapted 5 min"] th')!.textContent).toMatch(/patient-specific/);
    expect(gross.querySelector('tr[data-model="student"] th')!.textContent).not.toMatch(/patient-specific/);
    expect(gross.querySelector('tr[data-model=cnn] th')!.textContent).not.toMatch(/patient-specific/);
    expect(adapted.querySelector('tr[data-recording="208"] th')!.textContent).toMatch(/from minute 5/);
    expect(adapted.querySelector('tr[data-recording="232x"]')).toBeNull();
    const plain = view.getAllByTestId('study-model').find((s) => s.getAttribute('data-model') === 'student')!;
    expect(plain.querySelector('tr[data-recording="232x"] th')!.textContent).toBe('232x');
    expect(view.getByTestId('study-model-student, adapted 5 min').parentElement!.textContent).toMatch(/2 recordings, patient-specific/);
    expect(view.getByTestId('study-model-student').parentElement!.textContent).toMatch(/\(1 recording\)/);
    expect(view.getByTestId('pairs-note').textContent).toMatch(/proves nothing\. A patient-specific \(adapted\) model against a patient-independent one is not a like-for-like comparison/);
  });

  it('a plain and an adapted run of one model on the same recording are both pooled, as two arms with a pair between them', async () => {
    // cnn adapted on 208 and 100 beside its plain runs there; an older adapted run of 208 gives way to the newer one.
    const t = studyTransport();
    const adaptedRun = (id: string, recordingId: string, day: number): RunSummary => ({ ...STUDY_RUNS[1], id, recordingId, createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(), adaptation: ADAPTATION });
    const runs = [...STUDY_RUNS, adaptedRun('s-cnn-a0', 'rec-1', 1), adaptedRun('s-cnn-a1', 'rec-1', 4), adaptedRun('s-cnn-a2', 'rec-2', 4)];
    t.transport.api.listRuns = async () => runs.map((r) => ({ ...r }));
    t.transport.api.getStudy = async (req) => { t.calls.push(`study ${JSON.stringify(req)}`); return fakeStudy(req, runs); };
    const { app, calls } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    const ARM = 'cnn, adapted 5 min';
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector(`tr[data-model="${ARM}"]`)).not.toBeNull());
    // Both cnn runs of 208 (and of 100) are asked for: one in each arm.
    const req = lastRequest(calls);
    expect(req.runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-cnn-a1', 's-cnn-a2', 's-stu-1', 's-stu-2', 's-stu-3']);
    const r = fakeStudy(req, runs);
    expect(r.models.map((m) => [m.arm, m.modelId, m.adapted])).toEqual([['cnn', 'cnn', false], [ARM, 'cnn', true], ['student', 'student', false]]);
    // Three groups, each shown under its arm with its own figures.
    expect([...view.getByTestId('study-gross').querySelectorAll('tr[data-model]')].map((tr) => tr.getAttribute('data-model'))).toEqual(['cnn', ARM, 'student']);
    expect(view.getAllByTestId('study-model').map((s) => s.getAttribute('data-model'))).toEqual(['cnn', ARM, 'student']);
    for (const m of r.models) {
      const row = view.getByTestId('study-gross').querySelector(`tr[data-model="${m.arm}"]`)!;
      expect([m.arm, row.querySelector('td.recordings')!.textContent, row.querySelector('td.beats')!.textContent]).toEqual([m.arm, String(m.recordings.length), String(m.gross.beats)]);
      expect(KEYS.map((k) => row.querySelector(`td[data-key="${k}"] .v`)!.textContent)).toEqual(KEYS.map((k) => f(grossOf(r, m.arm, k))));
    }
    expect(grossOf(r, ARM, 'V.se')).not.toBe(grossOf(r, 'cnn', 'V.se'));
    const section = view.getAllByTestId('study-model').find((s) => s.getAttribute('data-model') === ARM)!;
    expect(within(section).getByRole('heading', { level: 3 }).textContent).toMatch(/^cnn, adapted 5 min on 2 recording\(s\)/);
    expect([...within(section).getByRole('table', { name: `${ARM} per recording` }).querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-recording'))).toEqual(['208', '100']);
    expect(within(section).getByTestId('adapted-note')).toBeTruthy();
    // The pair cnn − its adapted arm, on 208 and 100, with paired intervals; and its caveat.
    const p = r.pairs.find((x) => x.a === 'cnn' && x.b === ARM)!;
    expect(p.recordings).toEqual(['208', '100']);
    const pair = view.getByTestId('study-pairs').querySelector(`tr[data-pair="cnn|${ARM}"]`)!;
    expect([...pair.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['cnn', ARM]);
    expect(pair.querySelector('td.recordings')!.textContent).toBe('2');
    for (const k of ['N.se', 'V.se', 'accuracy', 'macroF1NSV']) {
      const cell = pair.querySelector(`td[data-key="${k}"]`)!;
      expect([k, cell.querySelector('.v')!.textContent, cell.querySelector('.ci')!.textContent]).toEqual([k, sf(p.point[k]), ci(p.intervals![k])]);
    }
    expect([...view.getByTestId('study-pairs').querySelectorAll('tr[data-pair]')].map((tr) => tr.getAttribute('data-pair'))).toEqual(r.pairs.map((x) => `${x.a}|${x.b}`));
    // The fake cannot rescore a run from a later start, so it gives this pair no calibration difference: shown as dashes.
    expect(p.calibration).toBeNull();
    expect([pair.querySelector('td[data-key="ece"]')!.textContent, pair.querySelector('td[data-key="brier"]')!.textContent]).toEqual(['—', '—']);
    expect(view.getByTestId('pairs-note').textContent).toMatch(/both are scored from the later start on each recording .* so a pair compares the same beats/);
    // The arms tick apart: without the adapted arm, the plain cnn runs stay.
    await fireEvent.click(view.getByTestId(`study-model-${ARM}`));
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector(`tr[data-model="${ARM}"]`)).toBeNull());
    expect(lastRequest(calls).runIds).toEqual(['s-cnn-1', 's-cnn-2', 's-cnn-3', 's-stu-1', 's-stu-2', 's-stu-3']);
    expect(view.getByTestId('pairs-note').textContent).not.toMatch(/do not count the same beats/);
    await fireEvent.click(view.getByTestId(`study-model-${ARM}`));
    await fireEvent.click(view.getByTestId('study-model-cnn'));
    await waitFor(() => expect(lastRequest(calls).runIds).toEqual(['s-cnn-a1', 's-cnn-a2', 's-stu-1', 's-stu-2', 's-stu-3']));
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).toBeNull());
    expect(view.getByTestId('study-gross').querySelector(`tr[data-model="${ARM}"]`)).not.toBeNull();
  });

  it('with runs on one recording the tab says it needs two or more, and asks nothing', async () => {
    const { app, calls } = await makeApp(fakeTransport());
    const view = within(render(Study, { app }).container);
    expect(view.getByTestId('study-empty').textContent).toMatch(/needs runs on two or more open recordings with reference annotations \(now: runs on 1 recording\(s\)\)/);
    await new Promise((r) => setTimeout(r, 20));
    expect(requests(calls)).toEqual([]);
  });

  it('a recording without reference annotations is left out, and said so', async () => {
    const t = studyTransport();
    t.transport.api.listRecordings = async () => STUDY_RECORDINGS.map((r) => (r.id === 'rec-2' ? { ...r, referenceBeats: 0, reference: null } : r));
    const { app, calls } = await makeApp(t);
    const view = within(render(Study, { app }).container);
    await waitFor(() => expect(view.getByTestId('study-gross').querySelector('tr[data-model=cnn]')).not.toBeNull());
    expect(lastRequest(calls).runIds).toEqual(['s-cnn-1', 's-cnn-3', 's-stu-1', 's-stu-3']);
    expect(view.getByTestId('study-left-out').textContent).toMatch(/no reference annotations to score against: 100\./);
  });

  it('the Study tab sits right after "Compare models" and opens the view', async () => {
    const { app } = await makeApp();
    const view = within(render(App, { state: app }).container);
    const tabs = [...view.getByRole('navigation', { name: 'Views' }).querySelectorAll('button')].map((b) => b.textContent);
    expect(tabs[tabs.indexOf('Compare models') + 1]).toBe('Study');
    await fireEvent.click(view.getByTestId('tab-study'));
    await waitFor(() => expect(view.getByRole('region', { name: 'Study' })).toBeTruthy());
    await waitFor(() => expect(view.getByTestId('study-gross')).toBeTruthy());
  });
});
