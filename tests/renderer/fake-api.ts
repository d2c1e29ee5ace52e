/** An in-memory EcgApi for component tests: one recording with a small beat table and a run. */
import type { AamiLabel, BeatTable, EcgApi, MetricsRequest, RecordingSummary } from '../../src-main/api/contract.js';
import { AAMI_LABELS, ApiError } from '../../src-main/api/contract.js';
import { beatsToAnnotations } from '../../src-main/evaluation/ec57/labels.js';
import { ec57Metrics, metricsResult } from '../../src-main/services/metrics.js';
import { summarizeHolter } from '../../src-main/rhythm/index.js';
import type { Transport } from '../../src-renderer/lib/api.js';

export const REC: RecordingSummary = {
  id: 'rec-1', name: '208', path: '/data/mitdb/208', format: 'wfdb', fs: 360, length: 3600, durationSeconds: 10, startTime: null,
  leads: [{ index: 0, name: 'MLII', units: 'mV' }, { index: 1, name: 'V1', units: 'mV' }], referenceBeats: 8, reference: 'atr', warnings: [], indexing: false,
};

export const BEATS: BeatTable = {
  recordingId: 'rec-1', runId: 'run-1', fs: 360,
  samples: [100, 500, 900, 1300, 1700, 2100, 2500, 2900],
  reference: 'NNVNNSNV',
  predicted: 'NNNNVSNV',
  confidence: [0.99, 0.97, 0.55, 0.98, 0.7, 0.9, 0.52, 0.95],
  symbols: 'NNVNNANV',
};

export function fakeTransport(): { transport: Transport; calls: string[] } {
  const calls: string[] = [];
  const api: EcgApi = {
    async openRecording(path) { calls.push(`open ${path}`); if (path.includes('bad')) throw new ApiError({ name: 'FormatError', message: `${path}: no such file or WFDB record`, expected: true }); return REC; },
    async listRecordings() { return [REC]; },
    async closeRecording() {},
    async browse() { return { dir: '/data', entries: [] }; },
    async getWaveform(req) { return { kind: 'raw', recordingId: req.recordingId, from: req.from, to: req.to, fs: 360, step: 1, leads: REC.leads.map((l) => ({ ...l, values: new Array(req.to - req.from).fill(0) })) }; },
    async listBeats(_r, runId) { return runId ? BEATS : { ...BEATS, runId: null, predicted: '--------' }; },
    async listModels() { return [{ id: 'cnn', name: 'CNN', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card: {} }]; },
    async startClassification(ids, modelId, options) { calls.push(`classify ${JSON.stringify([ids, modelId, options ?? {}])}`); return { jobId: 'job-1' }; },
    async cancelJob() {},
    async getJob(id) { return { id, kind: 'classify', state: 'running', recordingIds: ['rec-1'], modelId: 'cnn', progress: 0.5, message: '', runIds: [] }; },
    async listRuns() { return [{ id: 'run-1', recordingId: 'rec-1', modelId: 'cnn', createdAt: new Date(0).toISOString(), beats: 8, disagreements: 2, elapsedMs: 1, beatSource: 'detector' }]; },
    async getMetrics(req: MetricsRequest) {
      calls.push(`metrics ${req.reference} ${req.corrections?.length ?? 0} ${req.ec57From ?? 'minute5'}`);
      const ref = [...BEATS.reference];
      for (const c of req.reference === 'corrected' ? req.corrections ?? [] : []) { const i = BEATS.samples.indexOf(c.sample); if (i >= 0) ref[i] = c.label; }
      // EC57 figures by the service's own helper on these 8 beats: from minute 5 none (the recording lasts 10 s).
      const classes = (labels: string | string[]): number[] => [...labels].map((l) => AAMI_LABELS.indexOf(l as AamiLabel));
      const ec57 = ec57Metrics(beatsToAnnotations(BEATS.samples, classes(ref)), beatsToAnnotations(BEATS.samples, classes(BEATS.predicted)), { fs: REC.fs, length: REC.length, from: req.ec57From ?? 'minute5' });
      return metricsResult('run-1', req.reference, req.corrections?.length ?? 0, ref.join(''), BEATS.predicted, null, null, ec57);
    },
    async compareRuns() { return []; },
    async getTemplates() { return []; },
    async exportCorrections() { return { wfdbBase64: '', csv: '', fileName: '208.rev' }; },
    async getHolterSummary(req) {
      calls.push(`holter ${req.labels ?? 'final'} ${req.corrections?.length ?? 0} ${req.pauseSeconds}`);
      const final = [...(req.labels === 'reference' ? BEATS.reference : BEATS.predicted)];
      for (const c of req.corrections ?? []) { const i = BEATS.samples.indexOf(c.sample); if (i >= 0) final[i] = c.label; }
      return summarizeHolter({ fs: BEATS.fs, samples: BEATS.samples, labels: final.join(''), length: REC.length }, { pauseSeconds: req.pauseSeconds });
    },
    async exportReport() { return { html: '<p>r</p>', pdfBase64: null, pdfError: 'none', csv: '', holter: summarizeHolter({ fs: BEATS.fs, samples: BEATS.samples, labels: BEATS.predicted, length: REC.length }) }; },
  };
  return { transport: { api, kind: 'browser', onEvent: () => () => {} }, calls };
}
