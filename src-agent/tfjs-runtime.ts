/**
 * The agent's model runtime: the app's TensorFlow.js model format, QRS detector and beat pipeline.
 *
 * Self-test: the model classifies the reference beats of the shipped sample records (MIT-BIH 100 and 208,
 * 5,228 beats covering N, S, V and F) and must reach the accuracy its model card states for DS2, less a
 * tolerance (6 points: the samples are two records, not DS2's 22); a card without a DS2 figure must reach 85 %.
 * A model that labels everything N scores 73 % there and fails; so does a model with damaged weights.
 *
 * Live pipeline: the streaming QRS detector finds beats as samples arrive; a beat is labelled once the next
 * beat is known (its RR features need it) and its window is complete. Features are computed over the last
 * 60 s of signal and beats (a live stream has no "whole recording"), so a few labels can differ from an
 * offline `classify` of the same record, which sees the whole recording.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aamiClassOf } from '../src-main/domain/aami.js';
import { isBeatSymbol } from '../src-main/domain/annotation.js';
import { memoryRecording } from '../src-main/formats/memory.js';
import { openRecording, readAnnotations } from '../src-main/formats/index.js';
import { buildRecordBeats } from '../src-main/model/dataset/beats.js';
import { chooseLead } from '../src-main/model/dataset/lead.js';
import { initEngine } from '../src-main/model/engine/backend.js';
import { loadModel, type LoadedModel as ClassifierModel } from '../src-main/model/io.js';
import { classifyRecording } from '../src-main/model/classify.js';
import { decide, predictProbs } from '../src-main/model/train/train.js';
import { QrsDetector } from '../src-main/signal/detect-qrs.js';
import type { BeatPipeline, LoadedModel, ModelRuntime, SelfTestResult } from './runtime.js';

const SAMPLES_DIR = fileURLToPath(new URL('../resources/samples/', import.meta.url));
export const SELF_TEST_RECORDS = ['100', '208'];
export const SELF_TEST_TOLERANCE = 0.06;
const SELF_TEST_FLOOR = 0.85;
const CONTEXT_SECONDS = 60;

interface TfjsLoaded extends LoadedModel { classifier: ClassifierModel }

/** Accuracy on the self-test records, counted over beats of the model's classes (as the card's DS2 figure). */
export async function selfTestAccuracy(model: ClassifierModel): Promise<{ accuracy: number; beats: number }> {
  let right = 0, total = 0;
  for (const r of SELF_TEST_RECORDS) {
    const src = await openRecording(join(SAMPLES_DIR, r));
    try {
      const c = await classifyRecording(src, [model], { beats: 'atr' });
      const anns = (await readAnnotations(src, 'atr')).filter((a) => isBeatSymbol(a.symbol));
      const refAt = new Map(anns.map((a) => [a.sample, aamiClassOf(a.symbol)]));
      for (let i = 0; i < c.samples.length; i++) {
        const ref = refAt.get(c.samples[i]);
        if (!ref || !c.classes.includes(ref)) continue;
        total++;
        if (c.classes[c.predicted[i]] === ref) right++;
      }
    } finally {
      await src.close();
    }
  }
  return { accuracy: total ? right / total : 0, beats: total };
}

async function promisedAccuracy(dir: string): Promise<number | null> {
  try {
    const card = JSON.parse(await readFile(join(dir, 'model-card.json'), 'utf8')) as { ds2?: { accuracy?: number | null }; evaluation?: { accuracy?: number | null } };
    const a = card.ds2?.accuracy ?? card.evaluation?.accuracy;
    return typeof a === 'number' ? a / 100 : null;
  } catch {
    return null;
  }
}

export async function createTfjsRuntime(o: { prefer?: 'wasm' | 'node' | 'cpu' } = {}): Promise<ModelRuntime> {
  const engine = await initEngine({ prefer: o.prefer ?? 'wasm' });
  return {
    backend: engine.backend,
    async load(dir: string): Promise<LoadedModel> {
      const classifier = await loadModel(dir);
      const promised = await promisedAccuracy(dir);
      const loaded: TfjsLoaded = {
        classifier,
        name: classifier.meta.arch + (dir.split('/').filter(Boolean).at(-1) ? `:${dir.split('/').filter(Boolean).at(-1)}` : ''),
        version: classifier.meta.createdAt,
        async selfTest(): Promise<SelfTestResult> {
          const { accuracy, beats } = await selfTestAccuracy(classifier);
          const bar = promised !== null ? promised - SELF_TEST_TOLERANCE : SELF_TEST_FLOOR;
          const passed = accuracy >= bar;
          return {
            accuracy, beats, promised, tolerance: SELF_TEST_TOLERANCE, passed,
            message: `${(100 * accuracy).toFixed(1)} % on ${beats} built-in beats (MIT-BIH ${SELF_TEST_RECORDS.join(', ')}); needs ≥ ${(100 * bar).toFixed(1)} %` +
              (promised !== null ? ` (card promises ${(100 * promised).toFixed(1)} % on DS2, tolerance ${100 * SELF_TEST_TOLERANCE} points)` : ' (card states no DS2 accuracy)'),
          };
        },
        dispose: () => classifier.model.dispose(),
      };
      return loaded;
    },
    pipeline(model: LoadedModel, fs: number, leadNames: string[]): BeatPipeline {
      return new LivePipeline((model as TfjsLoaded).classifier, fs, leadNames);
    },
  };
}

/** Growable per-lead buffers that keep only the last `keep` samples (plus what is being appended). */
class LiveBuffer {
  offset = 0;
  data: Float32Array[];
  length = 0;
  constructor(leads: number, private readonly keep: number) {
    this.data = Array.from({ length: leads }, () => new Float32Array(keep * 2));
  }
  get end(): number { return this.offset + this.length; }
  append(chunk: Float32Array[]): void {
    const n = chunk[0].length;
    if (this.length + n > this.data[0].length) {
      const drop = Math.max(0, this.length + n - this.keep);
      const cap = Math.max(this.data[0].length, this.length - drop + n);
      this.data = this.data.map((d) => { const x = new Float32Array(cap); x.set(d.subarray(drop, this.length)); return x; });
      this.offset += drop;
      this.length -= drop;
    }
    chunk.forEach((c, l) => this.data[l].set(c, this.length));
    this.length += n;
  }
}

class LivePipeline implements BeatPipeline {
  private readonly detector: QrsDetector;
  private readonly buffer: LiveBuffer;
  private readonly beats: number[] = [];
  private labelled = 0;
  private readonly leadIndex: number;
  private readonly after: number;

  constructor(private readonly model: ClassifierModel, private readonly fs: number, private readonly leadNames: string[]) {
    this.detector = new QrsDetector(fs, leadNames.length);
    this.buffer = new LiveBuffer(leadNames.length, Math.round(CONTEXT_SECONDS * fs * 1.5));
    this.leadIndex = chooseLead({ signals: leadNames.map((name) => ({ name })) } as never).index;
    const w = model.meta.window;
    this.after = Math.ceil((w.after / w.fs) * fs) + 1;
  }

  async push(leads: Float32Array[]) {
    this.buffer.append(leads);
    for (const b of this.detector.push(leads)) this.beats.push(b);
    // Ready: the next beat is known and the window after the beat has arrived.
    let ready = this.labelled;
    while (ready < this.beats.length - 1 && this.beats[ready] + this.after <= this.buffer.end) ready++;
    return this.label(ready);
  }

  async flush() {
    for (const b of this.detector.flush()) this.beats.push(b);
    let ready = this.labelled;
    while (ready < this.beats.length && this.beats[ready] + this.after <= this.buffer.end) ready++;
    return this.label(ready);
  }

  private async label(upTo: number) {
    if (upTo <= this.labelled) return [];
    const ctxStart = Math.max(this.buffer.offset, this.beats[this.labelled] - Math.round(CONTEXT_SECONDS * this.fs));
    const a = ctxStart - this.buffer.offset;
    const b = this.buffer.length;
    const src = memoryRecording('live', this.fs, this.buffer.data.map((d) => d.subarray(a, b)), this.leadNames);
    // Every beat inside the context takes part in RR and template features; only the ready ones are reported.
    const inCtx = this.beats.filter((s) => s >= ctxStart && s < this.buffer.end);
    const set = await buildRecordBeats(src, { samples: Int32Array.from(inCtx, (s) => s - ctxStart) }, { window: this.model.meta.window, lead: this.leadNames[this.leadIndex] });
    const probs = predictProbs(this.model.model, set);
    const labels = decide(probs, this.model.meta.decisionBias);
    const K = this.model.meta.classes.length;
    const out: { sample: number; label: string; probabilities: number[] | null; readyAtSample: number }[] = [];
    for (let i = 0; i < set.n; i++) {
      const sample = set.samples[i] + ctxStart;
      const idx = this.beats.indexOf(sample, this.labelled);
      if (idx < this.labelled || idx >= upTo) continue;
      // The beat became ready with the chunk that just arrived (its last sample); on flush, at the end.
      out.push({ sample, label: this.model.meta.classes[labels[i]], probabilities: Array.from(probs.subarray(i * K, (i + 1) * K)), readyAtSample: this.buffer.end - 1 });
    }
    this.labelled = upTo;
    return out;
  }
}
