/**
 * The agent's monitor raises a pause alarm while the pause goes on when its pipeline's beats are out within a known
 * short delay (causal models), and only at the ending beat otherwise (offline inputs arrive seconds late). A fake
 * pipeline emits beats every 0.8 s with one 5-s gap, each `delay` seconds after its R peak. Its AF alarm reads the
 * P waves of the signal it is fed (210 replayed).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StreamMessage } from '../../src-main/devices/protocol.js';
import { Monitor } from '../../src-agent/monitor.js';
import type { BeatPipeline, LoadedModel, ModelRuntime } from '../../src-agent/runtime.js';
import { referenceAfEpisodes } from '../../src-main/evaluation/af-episodes.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { beatsOfAnnotations } from '../../src-main/rhythm/index.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const FS = 250;
const BEATS = [...Array.from({ length: 10 }, (_, i) => 0.5 + 0.8 * i), ...Array.from({ length: 10 }, (_, i) => 7.7 + 5 + 0.8 * i)];

function fakePipeline(delay: number, maxDelaySeconds?: number): BeatPipeline {
  let samples = 0, next = 0;
  const due = (): { sample: number; label: string; probabilities: null; readyAtSample: number }[] => {
    const out = [];
    while (next < BEATS.length && BEATS[next] + delay <= samples / FS) {
      const s = Math.round(BEATS[next++] * FS);
      out.push({ sample: s, label: 'N', probabilities: null, readyAtSample: s + Math.round(delay * FS) });
    }
    return out;
  };
  return {
    ...(maxDelaySeconds !== undefined ? { maxDelaySeconds } : {}),
    push: async (leads) => { samples += leads[0].length; return due(); },
    flush: async () => { samples = Infinity; return due(); },
  };
}

async function alerts(delay: number, maxDelaySeconds?: number, tail = 1): Promise<Extract<StreamMessage, { type: 'alert' }>[]> {
  const model: LoadedModel = { name: 'fake', version: '1', backend: 'fake', selfTest: async () => ({ accuracy: 1, beats: 0, promised: 1, tolerance: 0, passed: true, backend: 'fake', message: '' }), dispose: () => {} };
  const runtime: ModelRuntime = { backend: 'fake', load: async () => model, pipeline: () => fakePipeline(delay, maxDelaySeconds) };
  const messages: StreamMessage[] = [];
  const monitor = new Monitor({ runtime, model: () => ({ model, id: 'fake' }), emit: (m) => messages.push(m) });
  // flat signal in 10-ms packets, as an ADC would deliver it, to `tail` s after the last beat
  const packets = Array.from({ length: Math.round((BEATS[BEATS.length - 1] + tail) * 100) }, () => Buffer.alloc(2 * (FS / 100)));
  await monitor.start({ kind: 'stream', name: 'test', input: Readable.from(packets), fs: FS, leads: ['MLII'], gain: 200 });
  await monitor.finished();
  return messages.filter((m): m is Extract<StreamMessage, { type: 'alert' }> => m.type === 'alert');
}

describe('agent monitor: pause alarms', () => {
  const gapStart = BEATS[9], gapEnd = BEATS[10];

  it('a causal pipeline (beats out within 50 ms): the alarm comes during the pause, once', async () => {
    const a = await alerts(0.03, 0.05);
    expect(a.map((x) => x.kind)).toEqual(['pause']);
    expect(a[0].time).toBeGreaterThan(gapStart + 3);
    expect(a[0].time).toBeLessThan(gapEnd);
  });

  it('an offline-input pipeline (beats seconds late, no bound): only the ending beat raises it, and no false pause', async () => {
    const a = await alerts(4);
    expect(a.map((x) => [x.kind, x.time])).toEqual([['pause', gapEnd]]);
  });

  it('asystole: the signal goes on with no beat at all, and a causal pipeline alarms while it does', async () => {
    const a = await alerts(0.03, 0.05, 6);
    expect(a.map((x) => x.kind)).toEqual(['pause', 'pause']);
    expect(a[1].time).toBeGreaterThan(BEATS[BEATS.length - 1] + 3);
  });
});

describeMitdb('agent monitor: the AF alarm looks at the P waves of the signal it is fed', () => {
  // 210: AF throughout with a fast response; its reference beats, labelled as the cardiologists did, out 30 ms late
  it('210 replayed: an AF alarm whose reason is the missing P waves, inside the reference AF', async () => {
    const atr = await readWfdbAnnotationFile(`${mitdbRecord('210')}.atr`);
    const b = beatsOfAnnotations(atr, 360, 650000, '210');
    let samples = 0, next = 0;
    const due = (): { sample: number; label: string; probabilities: null; readyAtSample: number }[] => {
      const out = [];
      while (next < b.samples.length && b.samples[next] + 11 <= samples) { const s = b.samples[next]; out.push({ sample: s, label: String(b.labels[next++]), probabilities: null, readyAtSample: s + 11 }); }
      return out;
    };
    const pipeline: BeatPipeline = { maxDelaySeconds: 0.05, push: async (leads) => { samples += leads[0].length; return due(); }, flush: async () => { samples = Infinity; return due(); } };
    const model: LoadedModel = { name: 'fake', version: '1', backend: 'fake', selfTest: async () => ({ accuracy: 1, beats: 0, promised: 1, tolerance: 0, passed: true, backend: 'fake', message: '' }), dispose: () => {} };
    const messages: StreamMessage[] = [];
    const monitor = new Monitor({ runtime: { backend: 'fake', load: async () => model, pipeline: () => pipeline }, model: () => ({ model, id: 'fake' }), emit: (m) => messages.push(m) });
    await monitor.start({ kind: 'replay', record: mitdbRecord('210'), speed: 2000 });
    await monitor.finished();
    const af = messages.filter((m): m is Extract<StreamMessage, { type: 'alert' }> => m.type === 'alert' && m.kind === 'atrial-fibrillation');
    expect(af.length).toBeGreaterThan(0);
    expect(af[0].message).toMatch(/no P waves/);
    const episodes = referenceAfEpisodes(atr, 360, 650000);
    for (const a of af) expect(episodes.some((e) => a.time >= e.start && a.time <= e.end + 30), `alarm at ${a.time} s`).toBe(true);
  }, 60_000);
});
