/**
 * The API contract over both transports: the same ReviewService called through a simulated Electron IPC
 * (handlers registered on a fake ipcMain, invoked with fake events) and through the browser-mode HTTP server
 * must give identical answers (metrics with their EC57 figures too, a run adapted to the patient); unknown
 * channels/methods, foreign frames and missing tokens are refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiClient, httpCall, type Outcome } from '../../src-main/api/client.js';
import { API_METHODS, ApiError, ipcChannel, type ApiEvent, type EcgApi } from '../../src-main/api/contract.js';
import { registerIpc, trustedSender, type IpcEventLike, type IpcMainLike } from '../../src-main/app/ipc.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';

const APP = 'file:///app/out/renderer/index.html';

function fakeIpc(service: ReviewService) {
  const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = { handle: (c, l) => { handlers.set(c, l); }, removeHandler: (c) => { handlers.delete(c); } };
  const mainFrame = { url: APP };
  const sent: unknown[] = [];
  registerIpc(ipcMain, service, trustedSender(['file:///app/out/renderer/'], () => 7), () => ({ id: 7, send: (_c, e) => sent.push(e), isDestroyed: () => false }));
  const invoke = async (channel: string, event: IpcEventLike, ...args: unknown[]): Promise<Outcome> => {
    const h = handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    // Structured clone, as Electron IPC does: what crosses must be plain data.
    return structuredClone(await h(event, ...args)) as Outcome;
  };
  const goodEvent: IpcEventLike = { senderFrame: mainFrame, sender: { id: 7, mainFrame } };
  const api = createApiClient((m, args) => invoke(ipcChannel(m), goodEvent, ...args));
  return { api, invoke, handlers, sent, mainFrame };
}

describeMitdb('API contract over IPC and HTTP', () => {
  let service: ReviewService;
  let server: RunningServer;
  let ipc: ReturnType<typeof fakeIpc>;
  let http: EcgApi;
  const base = (): string => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    service = makeService();
    server = await startServer({ service });
    ipc = fakeIpc(service);
    http = createApiClient(httpCall(base(), server.token));
  });
  afterAll(async () => {
    await server?.close();
    await service?.dispose();
  });

  it('registers exactly one IPC channel per contract method', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map(ipcChannel).sort());
  });

  it('gives the same recordings, waveforms and beats over both transports', async () => {
    const a = await ipc.api.openRecording(mitdbRecord('208'));
    const b = await http.openRecording(mitdbRecord('208'));
    expect(b).toEqual(a);
    expect(a.fs).toBe(360);
    expect(a.leads.map((l) => l.name)).toEqual(['MLII', 'V1']);
    expect(a.referenceBeats).toBeGreaterThan(2900);
    for (const [from, to, px] of [[0, 650_000, 1200], [1000, 2000, 800], [360 * 600, 360 * 610, 1000]]) {
      const req = { recordingId: a.id, from, to, pixelWidth: px };
      const [wi, wh] = [await ipc.api.getWaveform(req), await http.getWaveform(req)];
      expect(wh).toEqual(wi);
      if (to - from > 2 * px) {
        expect(wi.kind).toBe('minmax');
        if (wi.kind === 'minmax') {
          expect(wi.leads[0].min).toHaveLength(px);
          // Every column's min ≤ max, and the whole record's range is physiological (mV).
          wi.leads[0].min.forEach((v, k) => expect(v!).toBeLessThanOrEqual(wi.leads[0].max[k]!));
          expect(Math.max(...wi.leads[0].max.map(Number))).toBeLessThan(10);
        }
      } else {
        expect(wi.kind).toBe('raw');
        if (wi.kind === 'raw') expect(wi.leads[1].values).toHaveLength(to - from);
      }
    }
    const bi = await ipc.api.listBeats(a.id, null);
    expect(await http.listBeats(a.id, null)).toEqual(bi);
    expect(bi.samples.length).toBe(a.referenceBeats);
    expect(bi.reference).toMatch(/^[NSVFQ]+$/);
    // 208 is the record with many PVCs and fusion beats (992 V, 373 F in the MIT-BIH directory).
    expect([...bi.reference].filter((c) => c === 'V').length).toBeGreaterThan(900);
    expect(await http.listModels()).toEqual(await ipc.api.listModels());
  });

  it('classifies through either transport and reports identical runs and metrics', async () => {
    const rec = await http.openRecording(mitdbRecord('208'));
    const models = await http.listModels();
    const { jobId } = await http.startClassification([rec.id], models[models.length - 1].id);
    const job = await waitJob(http, jobId);
    expect(job.state).toBe('done');
    const runId = job.runIds[0];
    const beats = await ipc.api.listBeats(rec.id, runId);
    expect(await http.listBeats(rec.id, runId)).toEqual(beats);
    expect(beats.predicted).toMatch(/^[NSVFQ]+$/);
    const m1 = await ipc.api.getMetrics({ runId, reference: 'annotations' });
    expect(await http.getMetrics({ runId, reference: 'annotations' })).toEqual(m1);
    const total = m1.confusion.flat().reduce((x, y) => x + y, 0);
    expect(total).toBe(m1.beats);
    // The EC57 figures (bxb, sumstats, rxr) from minute 5 by default, and from the start when asked: the same over both.
    expect(m1.ec57).toMatchObject({ from: 'minute5', startSeconds: 300, veb: { reference: 824 } });
    const whole = await http.getMetrics({ runId, reference: 'annotations', ec57From: 'start' });
    expect(await ipc.api.getMetrics({ runId, reference: 'annotations', ec57From: 'start' })).toEqual(whole);
    expect(whole.ec57).toMatchObject({ from: 'start', startSeconds: 0, veb: { reference: 992 } });
    const bad = { runId, reference: 'annotations' as const, ec57From: 'minute3' as 'start' };
    const [ei, eh] = [await ipc.api.getMetrics(bad).catch((e) => e), await http.getMetrics(bad).catch((e) => e)];
    expect((eh as ApiError).message).toBe((ei as ApiError).message);
    expect((ei as ApiError).message).toMatch(/ec57From must be 'minute5', 'start' or 'learning', got "minute3"/);
    // A correction of a disagreement to the model's label moves exactly one beat onto the diagonal.
    const i = [...beats.reference].findIndex((r, k) => r !== '-' && r !== beats.predicted[k]);
    const corrections = [{ sample: beats.samples[i], label: beats.predicted[i] as 'N' }];
    const m2 = await http.getMetrics({ runId, reference: 'corrected', corrections });
    expect(await ipc.api.getMetrics({ runId, reference: 'corrected', corrections })).toEqual(m2);
    const diag = (m: typeof m1): number => m.confusion.reduce((s, row, k) => s + row[k], 0);
    expect(diag(m2)).toBe(diag(m1) + 1);
    expect(m2.corrections).toBe(1);
    // The study of this one run (a recording is the bootstrap's unit, so one gives no interval): the same over both.
    const st = await http.getStudy({ runIds: [runId], reference: 'corrected', corrections: { [runId]: corrections } });
    expect(await ipc.api.getStudy({ runIds: [runId], reference: 'corrected', corrections: { [runId]: corrections } })).toEqual(st);
    expect(st.models[0].recordings[0]).toMatchObject({ recording: '208', corrections: 1 });
    expect(st.models[0].gross.intervals).toBeNull();
    // The Holter summary of the corrected labels: the same over both transports, and it counts the correction.
    const h = await http.getHolterSummary({ runId, corrections, pauseSeconds: 2.5 });
    expect(await ipc.api.getHolterSummary({ runId, corrections, pauseSeconds: 2.5 })).toEqual(h);
    expect(h.settings.pauseSeconds).toBe(2.5);
    const final = [...beats.predicted]; final[i] = corrections[0].label;
    expect(h.counts.V).toBe(final.filter((c) => c === 'V').length);
  });

  it('adapts to the patient through either transport: the same run summary with its adaptation, the same refusals', async () => {
    const rec = await ipc.api.openRecording(mitdbRecord('100'));
    const { jobId } = await ipc.api.startClassification([rec.id], 'causal-student-int8', { adapt: { minutes: 5, labels: { from: 'reference' } } });
    const job = await waitJob(http, jobId);
    expect(job.state, job.error).toBe('done');
    const runs = await http.listRuns(rec.id);
    expect(await ipc.api.listRuns(rec.id)).toEqual(runs);
    const run = runs.find((r) => r.id === job.runIds[0])!;
    expect(run.adaptation).toMatchObject({ minutes: 5, labels: { from: 'reference', annotator: 'atr' }, epochs: 10 });
    expect(Object.keys(run.adaptation!.beats)).toContain('N');
    const bad = [{ adapt: { minutes: 5, labels: { from: 'reference' as const } } }, { adapt: { minutes: 40, labels: { from: 'run' as const, runId: run.id } } }];
    for (const [model, options] of [['rr-morphology-baseline', bad[0]], ['causal-student-int8', bad[1]]] as const) {
      const [ei, eh] = [await ipc.api.startClassification([rec.id], model, options).catch((e) => e), await http.startClassification([rec.id], model, options).catch((e) => e)];
      expect(eh).toBeInstanceOf(ApiError);
      expect((eh as ApiError).message).toBe((ei as ApiError).message);
      expect((ei as ApiError).message).toMatch(model === 'causal-student-int8' ? /^100 lasts 30\.1 min: it has no first 40 min/ : /rule-based baseline/);
    }
  });

  it('maps errors the same way on both transports', async () => {
    const e1 = await ipc.api.listBeats('nope', null).catch((e) => e);
    const e2 = await http.listBeats('nope', null).catch((e) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e2).toBeInstanceOf(ApiError);
    expect((e2 as ApiError).message).toBe((e1 as ApiError).message);
    expect((e1 as ApiError).message).toMatch(/no open recording/);
  });

  it('refuses paths outside the data directory', async () => {
    const e = await http.openRecording('/etc/passwd').catch((x) => x);
    expect((e as ApiError).message).toMatch(/outside the data directory/);
    const e2 = await http.openRecording('../../../../etc/hostname').catch((x) => x);
    expect((e2 as ApiError).message).toMatch(/outside the data directory/);
  });

  it('rejects unknown IPC channels and foreign frames', async () => {
    await expect(ipc.invoke('ecg-review:readFile', { senderFrame: ipc.mainFrame, sender: { id: 7, mainFrame: ipc.mainFrame } })).rejects.toThrow(/No handler/);
    const iframe = { url: 'https://evil.example/' };
    const r1 = await ipc.invoke(ipcChannel('listRecordings'), { senderFrame: iframe, sender: { id: 7, mainFrame: ipc.mainFrame } });
    expect(r1).toMatchObject({ ok: false, error: { name: 'ForeignFrame' } });
    const r2 = await ipc.invoke(ipcChannel('listRecordings'), { senderFrame: ipc.mainFrame, sender: { id: 8, mainFrame: ipc.mainFrame } });
    expect(r2).toMatchObject({ ok: false, error: { name: 'ForeignFrame' } });
    const navigated = { url: 'file:///etc/passwd' };
    const r3 = await ipc.invoke(ipcChannel('listRecordings'), { senderFrame: navigated, sender: { id: 7, mainFrame: navigated } });
    expect(r3).toMatchObject({ ok: false, error: { name: 'ForeignFrame' } });
  });

  it('answers 401 without the token, 404 for unknown methods, 421 for a foreign Host', async () => {
    const noToken = await fetch(`${base()}/api/listRecordings`, { method: 'POST', body: '[]' });
    expect(noToken.status).toBe(401);
    const wrong = await fetch(`${base()}/api/listRecordings?token=${server.token.slice(0, -1)}${server.token.endsWith('x') ? 'y' : 'x'}`, { method: 'POST', body: '[]' });
    expect(wrong.status).toBe(401);
    const unknown = await fetch(`${base()}/api/readFile`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: '[]' });
    expect(await unknown.json()).toMatchObject({ ok: false, error: { name: 'UnknownMethod' } });
    const { request } = await import('node:http');
    const status = await new Promise<number>((res) => {
      request({ host: '127.0.0.1', port: server.port, path: `/api/listRecordings?token=${server.token}`, method: 'POST', headers: { host: 'evil.example' } }, (r) => res(r.statusCode!)).end('[]');
    });
    expect(status).toBe(421);
  });

  it('streams job events over the WebSocket only with the token', async () => {
    const bad = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    await expect(new Promise((res, rej) => { bad.on('open', res); bad.on('error', rej); })).rejects.toThrow(/401/);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise((r) => ws.on('open', r));
    const events: ApiEvent[] = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m)) as ApiEvent));
    const rec = await http.openRecording(mitdbRecord('100'));
    const models = await http.listModels();
    const { jobId } = await http.startClassification([rec.id], models[models.length - 1].id);
    await waitJob(http, jobId);
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    const jobEvents = events.filter((e): e is Extract<ApiEvent, { type: 'job' }> => e.type === 'job' && e.job.id === jobId);
    expect(jobEvents.at(-1)!.job.state).toBe('done');
    // The IPC transport forwarded the same events to the window.
    expect(ipc.sent.some((e) => (e as ApiEvent).type === 'job')).toBe(true);
  });
});
