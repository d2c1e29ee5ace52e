/**
 * The agent's model runtime: the app's model format, QRS detector and beat pipeline. The model itself runs on
 * the lite runtime (plain TypeScript, `src-main/model/lite/`) when it implements every layer of the model, else
 * on TensorFlow.js (`classifiers.ts`: one interface, two implementations); the pipeline around it is the same.
 *
 * Self-test: the model classifies the reference beats of the shipped sample records (MIT-BIH 100 and 208,
 * 5,228 beats covering N, S, V and F) on the runtime that will run it live, and must reach the accuracy its
 * model card states for DS2, less a tolerance (6 points: the samples are two records, not DS2's 22); a card
 * without a DS2 figure must reach 85 %. A model that labels everything N scores 73 % there and fails; so does a
 * model with damaged weights.
 *
 * Live pipeline (`LivePipeline` below): the streaming QRS detector finds beats on the classifier's lead as
 * samples arrive; a beat is labelled once five later beats are known (its local RR features need them) and its
 * window is complete. Local features equal the offline ones exactly; the per-recording ones (template beat,
 * average RR) are computed over the history so far, so labels can differ from an offline `classify` of the
 * same record only while that history is short. A two-lead model (`train --leads 2`) also reads the stream's second
 * ECG lead, chosen as offline (`chooseSecondLead`), conditioned the same way and compared with its own template;
 * beats are still found on the classifier's lead only. A model with a morphology consensus (model/consensus.ts)
 * applies it over the beats before each one (`ConsensusStream`): for a causal model exactly as offline; for an
 * offline model, whose consensus offline also looks at later beats, that is where live labels may differ.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aamiClassOf } from '../src-main/domain/aami.js';
import { isBeatSymbol } from '../src-main/domain/annotation.js';
import { openRecording, readAnnotations } from '../src-main/formats/index.js';
import { buildRecordBeats, FEATURE_COUNT, FEATURE_NAMES, type BeatSet } from '../src-main/model/dataset/beats.js';
import { CAUSAL_FEATURE_NAMES } from '../src-main/model/dataset/causal.js';
import { conditionSignal } from '../src-main/model/dataset/preprocess.js';
import { RR_FEATURE_COUNT, RR_FEATURE_NAMES, rrFeatures } from '../src-main/model/dataset/rr.js';
import { beatAgainstTemplate, cutWindow, extractWindows, medianTemplate, TEMPLATE_FEATURE_NAMES, templateStats, WINDOW_CHANNELS, windowChannels, windowLength, type TemplateStats, type WindowSpec } from '../src-main/model/dataset/windows.js';
import { ModelError } from '../src-main/model/errors.js';
import { ConsensusStream, morphologyConsensus } from '../src-main/model/consensus.js';
import { decide } from '../src-main/model/train/train.js';
import { chooseLead, chooseSecondLead } from '../src-main/model/dataset/lead.js';
import { initEngine } from '../src-main/model/engine/backend.js';
import { CausalLivePipeline } from './causal-pipeline.js';
import type { ModelMetadata } from '../src-main/model/io.js';
import { beatPositions } from '../src-main/model/classify.js';
import { LiteModelError } from '../src-main/model/lite/errors.js';
import { alignFiducials, BASELINE_SECONDS } from '../src-main/signal/align-fiducials.js';
import { QrsDetector } from '../src-main/signal/detect-qrs.js';
import { LITE_BACKEND, loadIntegerClassifier, loadLiteClassifier, loadTfjsClassifier, type BeatClassifier } from './classifiers.js';
import type { BeatPipeline, LoadedModel, ModelRuntime, SelfTestResult } from './runtime.js';

const SAMPLES_DIR = fileURLToPath(new URL('../resources/samples/', import.meta.url));
export const SELF_TEST_RECORDS = ['100', '208'];
export const SELF_TEST_TOLERANCE = 0.06;
const SELF_TEST_FLOOR = 0.85;

/**
 * Which runtime runs the models: `auto` (default) the lite runtime when it supports the model, else
 * TensorFlow.js; `lite` only the lite runtime (a model it does not support is refused); `tfjs` always TensorFlow.js.
 */
export type RuntimeChoice = 'auto' | 'lite' | 'tfjs';
export const RUNTIME_CHOICES: readonly RuntimeChoice[] = ['auto', 'lite', 'tfjs'];

interface AgentModel extends LoadedModel { classifier: BeatClassifier }

/**
 * Accuracy on the self-test records, counted over beats of the model's classes (as the card's DS2 figure): the
 * reference beat positions, the inputs an offline `classify --beats atr` builds, the classifier that runs live.
 */
export async function selfTestAccuracy(classifier: BeatClassifier): Promise<{ accuracy: number; beats: number }> {
  let right = 0, total = 0;
  const { classes, window } = classifier.meta;
  for (const r of SELF_TEST_RECORDS) {
    const src = await openRecording(join(SAMPLES_DIR, r));
    try {
      const { positions } = await beatPositions(src, { beats: 'atr' });
      const set = await buildRecordBeats(src, positions, { window, lead: chooseLead(src.info).name });
      // As `classify --beats atr` decides, the model's consensus over the whole record included.
      let { probabilities, predicted } = classifier.classify(set);
      if (classifier.meta.consensus) {
        probabilities = morphologyConsensus(probabilities, set, window, classifier.meta.consensus);
        predicted = decide(probabilities, classifier.meta.decisionBias);
      }
      const anns = (await readAnnotations(src, 'atr')).filter((a) => isBeatSymbol(a.symbol));
      const refAt = new Map(anns.map((a) => [a.sample, aamiClassOf(a.symbol)]));
      for (let i = 0; i < set.n; i++) {
        const ref = refAt.get(set.samples[i]);
        if (!ref || !classes.includes(ref)) continue;
        total++;
        if (classes[predicted[i]] === ref) right++;
      }
    } finally {
      await src.close();
    }
  }
  return { accuracy: total ? right / total : 0, beats: total };
}

interface CardSummary { name: string | null; promised: number | null }

/** The model card's name and the DS2 accuracy it promises (classifier cards: ds2; compressed cards: evaluation). */
async function readCard(dir: string): Promise<CardSummary> {
  try {
    const card = JSON.parse(await readFile(join(dir, 'model-card.json'), 'utf8')) as { name?: unknown; ds2?: { accuracy?: number | null }; evaluation?: { accuracy?: number | null } };
    const a = card.ds2?.accuracy ?? card.evaluation?.accuracy;
    return { name: typeof card.name === 'string' && card.name ? card.name : null, promised: typeof a === 'number' ? a / 100 : null };
  } catch {
    return { name: null, promised: null };
  }
}

/**
 * A model is only usable when it was trained on the inputs this code computes: same window channels and the
 * same per-beat features in the same order. Otherwise it would run and give confident nonsense. Two-lead
 * windows exist for the offline inputs only (as in `buildRecordBeats`), so a causal model reads one lead.
 */
export function checkInputs(m: ModelMetadata, dir: string): void {
  const twoLead = m.window.leads === 2 && !m.window.causal;
  // One lead (with or without the beat channel) or an offline two-lead window: what windows.ts computes for it.
  const channels = m.window.leads === undefined || twoLead ? windowChannels(m.window) : WINDOW_CHANNELS;
  // `leads` other than 2 (or on a causal model) is a window this agent cannot build, whatever the channel names.
  if (m.channels.join() !== channels.join() || (m.window.leads !== undefined && !twoLead)) {
    throw new ModelError(`the model reads window channels [${m.channels.join(', ')}]${m.window.leads !== undefined ? ` of ${m.window.leads} leads` : ''} but this agent computes [${channels.join(', ')}]${m.window.causal ? ' for causal models' : ''}; update the agent or push a model trained for it`, dir);
  }
  const expected = m.window.causal ? CAUSAL_FEATURE_NAMES : FEATURE_NAMES;
  if (m.features.join() !== expected.join()) {
    throw new ModelError(`the model reads features [${m.features.join(', ')}] but this agent computes [${expected.join(', ')}]${m.window.causal ? ' for causal models' : ''}; update the agent or push a model trained for it`, dir);
  }
}

/** A LiteModelError's message without the (staging) directory it names nor the list of supported layers. */
const reason = (e: LiteModelError): string =>
  (e.input && e.message.startsWith(`${e.input}: `) ? e.message.slice(e.input.length + 2) : e.message).replace(/ \(it runs [^)]*\)$/, '');

export async function createModelRuntime(o: { prefer?: 'wasm' | 'node' | 'cpu'; runtime?: RuntimeChoice } = {}): Promise<ModelRuntime> {
  const choice = o.runtime ?? 'auto';
  const tfjsBackend = choice === 'lite' ? null : (await initEngine({ prefer: o.prefer ?? 'wasm' })).backend;

  /** The lite runtime when it runs the model (and the choice allows it), else TensorFlow.js. */
  const classifierFor = async (dir: string): Promise<{ classifier: BeatClassifier; liteRefusal: string | null }> => {
    let liteRefusal: string | null = null;
    // An integer model is pushed to run as integers: its integer form, whatever runtime is preferred for float ones.
    const integer = await loadIntegerClassifier(dir);
    if (integer) return { classifier: integer, liteRefusal };
    if (choice !== 'tfjs') {
      try {
        return { classifier: await loadLiteClassifier(dir), liteRefusal };
      } catch (e) {
        if (!(e instanceof LiteModelError) || tfjsBackend === null) throw e;
        liteRefusal = reason(e);
      }
    }
    return { classifier: await loadTfjsClassifier(dir, tfjsBackend!), liteRefusal };
  };

  return {
    backend: choice === 'lite' ? LITE_BACKEND : choice === 'tfjs' ? tfjsBackend! : `${LITE_BACKEND}, else ${tfjsBackend!}`,
    async load(dir: string): Promise<LoadedModel> {
      const { classifier, liteRefusal } = await classifierFor(dir);
      try {
        checkInputs(classifier.meta, dir);
      } catch (e) {
        classifier.dispose();
        throw e;
      }
      const { name, promised } = await readCard(dir);
      const runBy = `run by ${classifier.backend}` + (liteRefusal ? ` (the lite runtime does not run it: ${liteRefusal})` : '');
      const loaded: AgentModel = {
        classifier,
        backend: classifier.backend,
        // Never the directory name: a pushed model is loaded from a random staging directory.
        name: name ?? classifier.meta.arch,
        version: classifier.meta.createdAt,
        async selfTest(): Promise<SelfTestResult> {
          const { accuracy, beats } = await selfTestAccuracy(classifier);
          const bar = promised !== null ? promised - SELF_TEST_TOLERANCE : SELF_TEST_FLOOR;
          const passed = accuracy >= bar;
          return {
            accuracy, beats, promised, tolerance: SELF_TEST_TOLERANCE, passed, backend: classifier.backend,
            message: `${(100 * accuracy).toFixed(1)} % on ${beats} built-in beats (MIT-BIH ${SELF_TEST_RECORDS.join(', ')}) ${runBy}; needs ≥ ${(100 * bar).toFixed(1)} %` +
              (promised !== null ? ` (card promises ${(100 * promised).toFixed(1)} % on DS2, tolerance ${100 * SELF_TEST_TOLERANCE} points)` : ' (card states no DS2 accuracy)'),
          };
        },
        dispose: () => classifier.dispose(),
      };
      return loaded;
    },
    pipeline(model: LoadedModel, fs: number, leadNames: string[]): BeatPipeline {
      const { classifier } = model as AgentModel;
      // A causal model labels each beat ~30 ms after its R peak; the others once their inputs are complete (~1 s+).
      return classifier.meta.window.causal ? new CausalLivePipeline(classifier, fs, leadNames) : new LivePipeline(classifier, fs, leadNames);
    },
  };
}

/** Greatest common divisor of two non-negative integers. */
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A growable Float32 array with a movable start (old samples can be dropped). */
class Series {
  data = new Float32Array(1 << 16);
  /** Global index of data[0]. */
  offset = 0;
  length = 0;
  get end(): number { return this.offset + this.length; }
  append(x: Float32Array): void {
    if (this.length + x.length > this.data.length) {
      const next = new Float32Array(Math.max(2 * this.data.length, this.length + x.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(x, this.length);
    this.length += x.length;
  }
  /** Drop everything before global index `from`. */
  dropBefore(from: number): void {
    const k = Math.min(this.length, Math.max(0, from - this.offset));
    if (k === 0) return;
    this.data.copyWithin(0, k, this.length);
    this.offset += k;
    this.length -= k;
  }
  slice(from: number, to: number): Float32Array { return this.data.slice(from - this.offset, to - this.offset); }
  view(): Float32Array { return this.data.subarray(0, this.length); }
}

/**
 * The classifier's conditioned signal (model rate, baseline removed), computed as samples arrive. Every output
 * sample is computed once, from an input slice with enough margin on both sides (the 200 + 600 ms median
 * filters and the resampler reach 0.4 s) and starting on the resampling grid, so the result equals conditioning
 * the whole recording at once (`conditionSignal`), sample for sample.
 */
export class LiveConditioner {
  readonly raw = new Series();
  readonly out = new Series();
  private readonly a: number;
  private readonly b: number;
  private readonly margin: number;
  constructor(private readonly fsIn: number, private readonly fsOut: number) {
    const A = Math.round(fsIn * 1000), B = Math.round(fsOut * 1000), g = gcd(A, B);
    this.a = A / g; // input samples per grid step …
    this.b = B / g; // … and output samples per grid step: a slice starting on a step boundary keeps the global grid
    this.margin = Math.ceil(0.5 * fsOut) + 4;
  }
  push(x: Float32Array, final = false): void {
    this.raw.append(x);
    const avail = Math.floor((this.raw.end * this.fsOut) / this.fsIn);
    const upTo = final ? avail : avail - this.margin;
    if (upTo <= this.out.end) return;
    const i0 = Math.max(0, Math.floor((this.out.end - this.margin) / this.b) * this.b);
    const s0 = (i0 / this.b) * this.a;
    const y = conditionSignal(this.raw.slice(Math.max(s0, this.raw.offset), this.raw.end), this.fsIn, this.fsOut);
    this.out.append(y.subarray(this.out.end - i0, upTo - i0));
    // Keep only the raw input the next slice can start from.
    const next = Math.max(0, Math.floor((this.out.end - this.margin) / this.b) * this.b);
    this.raw.dropBefore((next / this.b) * this.a);
  }
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** The patient's template beat and the statistics every beat's inputs use (as in `extractWindows`). */
export type Template = TemplateStats & { beats: number };

export function templateOf(sig: Float32Array, centers: Int32Array, w: WindowSpec): Template {
  return { ...templateStats(medianTemplate(sig, centers, w)), beats: centers.length };
}

/**
 * One beat's window and template features against a given template: the per-beat step of `extractWindows`
 * (windows.ts's own `cutWindow` + `beatAgainstTemplate`, so the device computes exactly what training did), written
 * to x[0], x[C], x[2C] … (C: the window's channel count, its layout being [time][channel]); with `w.beat` the beat
 * itself goes to x[1], x[C + 1] … as well.
 */
export function beatInputs(sig: Float32Array, center: number, w: WindowSpec, t: Template, x: Float32Array, tf: Float32Array, C = 1): void {
  const one = new Float32Array(w.before + w.after);
  cutWindow(sig, center, w, one);
  beatAgainstTemplate(one, t, x, 0, C, tf, 0, w.beat ? 1 : -1);
}

/**
 * The fast path uses windows.ts's per-beat step (`beatInputs`) and patches the two RR features that depend on the
 * history by their index (recordRR, pre/record); if rr.ts ever moves them, the exact path is used instead.
 */
const FAST_INPUTS = RR_FEATURE_NAMES[3] === 'recordRR' && RR_FEATURE_NAMES[6] === 'pre/record' && process.env.ECG_AGENT_EXACT_INPUTS !== '1';

/**
 * Beats wait for this many later beats before they are labelled: the local RR average spans five beats on each
 * side (src-main/model/dataset/rr.ts), so with five known the RR features equal the offline ones.
 */
export const LOOKAHEAD_BEATS = 5;

/** Beats the live template is built from once `count` beats are known: all of them up to 16, then a fixed schedule. */
export function templateBeats(count: number): number {
  if (count <= 16) return count;
  let k = 16;
  for (;;) {
    const next = k + Math.max(16, Math.ceil(0.05 * k));
    if (next > count) return k;
    k = next;
  }
}
/** Signal and beats older than this are forgotten (memory stays bounded on a device that runs for days). */
export const HISTORY_SECONDS = 3600;

/**
 * The live beat pipeline. Everything the offline classifier computes over the whole recording — the patient's
 * template beat (median of up to 2,000 evenly spaced beats), the record-average RR — is computed over the
 * history seen so far (up to an hour), which grows towards the whole recording; everything local (the beat
 * window, its conditioned signal, pre/post/local RR) is identical to the offline computation. So a beat's label
 * can differ from an offline `classify` only through the template and the average RR while the history is
 * short; at the end of a recording replayed from its start both use the same beats.
 */
export class LivePipeline implements BeatPipeline {
  private readonly detector: QrsDetector;
  private readonly cond: LiveConditioner;
  /** Beat positions (input samples, global), oldest first; beatOffset = global index of beats[0]. */
  private beats: number[] = [];
  /** rrSum[i]: sum of the clipped RR intervals of beats[1..i] (for the average RR up to any beat in O(1)). */
  private rrSum: number[] = [];
  private beatOffset = 0;
  /** Global index of the next beat to label. */
  private labelled = 0;
  private readonly leadIndex: number;
  private readonly scale: number;
  private inputEnd = 0;
  private template: Template | null = null;
  /** A two-lead model's second lead: its conditioned signal (same grid as `cond`) and template. */
  private readonly second: { index: number; cond: LiveConditioner; template: Template | null } | null = null;
  /** The lead(s) the inputs come from, as an offline `classify` reports them ("MLII", "MLII+V1"). */
  private readonly leadName: string;
  private readonly channels: number;
  /** The classifier lead's physical samples of the last seconds, for fiducial alignment. */
  private readonly lead = new Series();
  /** Detected beats waiting for the signal after them that alignment needs. */
  private unaligned: number[] = [];
  private readonly alignReach: number;
  private readonly meta: ModelMetadata;
  /** The model's morphology consensus over the beats before each one (null: the model has none). */
  private readonly consensus: ConsensusStream | null;

  constructor(private readonly classifier: BeatClassifier, private readonly fs: number, private readonly leadNames: string[]) {
    // Beats are detected on the lead the classifier reads, as an offline `classify` does, so the device and
    // the app find the same beats (the streaming detector equals the batch one sample for sample).
    const info = { signals: leadNames.map((name) => ({ name })) } as never;
    this.leadIndex = chooseLead(info).index;
    this.detector = new QrsDetector(fs, 1);
    this.meta = classifier.meta;
    this.consensus = this.meta.consensus ? new ConsensusStream(this.meta.consensus, this.meta.window) : null;
    this.cond = new LiveConditioner(fs, this.meta.window.fs);
    this.leadName = leadNames[this.leadIndex];
    if (this.meta.window.leads === 2) {
      // The offline rule, and its error on a one-lead stream: refused here, before any sample is labelled.
      const s = chooseSecondLead(info, this.leadIndex);
      this.second = { index: s.index, cond: new LiveConditioner(fs, this.meta.window.fs), template: null };
      this.leadName = `${this.leadName}+${s.name}`;
    }
    this.channels = windowChannels(this.meta.window).length;
    this.scale = this.meta.window.fs / fs;
    this.alignReach = Math.max(Math.round(0.04 * fs), Math.round(BASELINE_SECONDS * fs)) + 1;
  }

  /**
   * Move detected beats to the reference fiducial point as an offline `classify` does (`alignFiducials`): it
   * looks ±BASELINE_SECONDS around each beat, so a beat is aligned once that much signal after it has arrived.
   */
  private align(final: boolean): void {
    const end = this.lead.end;
    let k = 0;
    for (; k < this.unaligned.length; k++) {
      const p = this.unaligned[k];
      if (!final && p + this.alignReach > end) break;
      const from = Math.max(this.lead.offset, p - this.alignReach);
      const to = Math.min(end, p + this.alignReach + 1);
      let at = alignFiducials(this.lead.view().subarray(from - this.lead.offset, to - this.lead.offset), this.fs, [p - from])[0] + from;
      // As alignFiducials keeps positions strictly increasing over a whole recording.
      const prev = this.beats.length ? this.beats[this.beats.length - 1] : -1;
      if (at <= prev) at = Math.min(Math.max(prev + 1, p), end - 1);
      this.rrSum.push(prev < 0 ? 0 : this.rrSum[this.rrSum.length - 1] + clip((at - prev) / this.fs, 0.1, 3));
      this.beats.push(at);
    }
    this.unaligned = this.unaligned.slice(k);
    // The detector reports a beat up to a few seconds late (search-back), so keep ten seconds besides.
    this.lead.dropBefore(Math.min(this.unaligned[0] ?? end, end) - 2 * this.alignReach - 10 * this.fs);
  }

  async push(leads: Float32Array[]) {
    const x = Float32Array.from(leads[this.leadIndex]);
    this.inputEnd += x.length;
    this.cond.push(x); // copies x first: the detector is handed the same samples
    this.lead.append(x);
    for (const b of this.detector.push([x])) this.unaligned.push(b);
    this.second?.cond.push(leads[this.second.index]); // the conditioner copies what it keeps
    this.align(false);
    return this.label(false);
  }

  async flush() {
    for (const b of this.detector.flush()) this.unaligned.push(b);
    this.align(true);
    this.cond.push(new Float32Array(0), true);
    this.second?.cond.push(new Float32Array(0), true);
    return this.label(true);
  }

  private center(sample: number): number { return Math.round(sample * this.scale); }

  /** End of the conditioned signal of every lead read (both conditioners see the same samples, so equal). */
  private condEnd(): number { return this.second ? Math.min(this.cond.out.end, this.second.cond.out.end) : this.cond.out.end; }

  private async label(final: boolean) {
    const w = this.meta.window;
    const known = this.beatOffset + this.beats.length;
    let upTo = this.labelled;
    while (upTo < known && (final || (upTo + LOOKAHEAD_BEATS < known && this.center(this.beats[upTo - this.beatOffset]) + w.after <= this.condEnd()))) upTo++;
    if (upTo <= this.labelled) return [];
    const first = this.labelled - this.beatOffset;
    const m = upTo - this.labelled;
    const set = FAST_INPUTS ? this.inputsFast(first, m) : this.inputsExact(first, m);
    let { probabilities: probs, predicted: labels } = this.classifier.classify(set);
    if (this.consensus) {
      probs = this.consensus.apply(set, probs);
      labels = decide(probs, this.meta.decisionBias);
    }
    const K = this.meta.classes.length;
    const out: { sample: number; label: string; probabilities: number[] | null; readyAtSample: number }[] = [];
    for (let i = 0; i < m; i++) {
      // The beat became ready with the chunk that just arrived (its last sample); on flush, at the end.
      out.push({ sample: set.samples[i], label: this.meta.classes[labels[i]], probabilities: Array.from(probs.subarray(i * K, (i + 1) * K)), readyAtSample: this.inputEnd - 1 });
    }
    this.labelled = upTo;
    this.forget();
    return out;
  }

  private emptySet(m: number, first: number): BeatSet {
    const len = windowLength(this.meta.window);
    const C = this.channels;
    return {
      n: m, length: len, channels: C, x: new Float32Array(m * len * C), features: new Float32Array(m * FEATURE_COUNT),
      labels: new Int8Array(m).fill(-1), samples: Int32Array.from(this.beats.slice(first, first + m)), recordIndex: new Uint16Array(m),
      records: ['live'], leads: [this.leadName],
    };
  }

  /** Inputs of beats [first, first + m) by the classifier's own functions over the whole history (slow: O(history)). */
  private inputsExact(first: number, m: number): BeatSet {
    const w = this.meta.window;
    const o = this.cond.out.offset;
    const centers = Int32Array.from(this.beats, (s) => this.center(s) - o);
    const { x, templateFeatures } = extractWindows(this.cond.out.view(), centers, w);
    const rr = rrFeatures(Float64Array.from(this.beats, (s) => s / this.fs));
    const T = TEMPLATE_FEATURE_NAMES.length;
    const set = this.emptySet(m, first);
    if (this.second) {
      // As buildRecordBeats: the second lead's windows against its own template, interleaved as channel 1.
      const x2 = extractWindows(this.second.cond.out.view(), centers, w).x;
      const len = windowLength(w);
      for (let k = 0; k < m * len; k++) { set.x[2 * k] = x[first * len + k]; set.x[2 * k + 1] = x2[first * len + k]; }
    } else {
      const L = windowLength(w) * this.channels;
      set.x.set(x.subarray(first * L, (first + m) * L));
    }
    for (let i = 0; i < m; i++) {
      set.features.set(rr.subarray((first + i) * RR_FEATURE_COUNT, (first + i + 1) * RR_FEATURE_COUNT), i * FEATURE_COUNT);
      set.features.set(templateFeatures.subarray((first + i) * T, (first + i + 1) * T), i * FEATURE_COUNT + RR_FEATURE_COUNT);
    }
    return set;
  }

  /**
   * The same inputs in O(beats labelled). The per-recording inputs of beat j depend only on the beats before it,
   * never on how the stream was chunked or when beats arrived (so a replay at real time labels exactly as one at
   * 100×): the template is the median of the first K beats, K taken from a fixed schedule of beat counts ≤ j + 1
   * (every beat up to 16, then growing by max(16, 5 %)); the average RR is over beats 0 … j + LOOKAHEAD_BEATS (all
   * known when j is labelled). Equal to `inputsExact` whenever the history is the same
   * (tests/devices/live-pipeline.test.ts checks the per-beat step against windows.ts / rr.ts; two-lead.test.ts the
   * second lead's channel against extractWindows and, at the end of a record, the exact path against buildRecordBeats).
   */
  private inputsFast(first: number, m: number): BeatSet {
    const w = this.meta.window;
    const o = this.cond.out.offset;
    const sig = this.cond.out.view();
    const sig2 = this.second?.cond.out.view();
    const n = this.beats.length;
    const set = this.emptySet(m, first);
    const C = this.channels;
    const L = windowLength(w) * C;
    const T = TEMPLATE_FEATURE_NAMES.length;
    const tf = new Float32Array(T);
    const tf2 = new Float32Array(T); // the second lead's template features are not model inputs (as offline)
    for (let i = 0; i < m; i++) {
      const k = Math.max(1, templateBeats(this.beatOffset + first + i + 1) - this.beatOffset);
      if (!this.template || this.template.beats !== k) {
        const centers = Int32Array.from(this.beats.slice(0, k), (s) => this.center(s) - o);
        this.template = templateOf(sig, centers, w);
        // The second lead's template from the same beats, as offline both come from the same centers.
        if (this.second) this.second.template = templateOf(sig2!, centers, w);
      }
      const c = this.center(this.beats[first + i]) - o;
      beatInputs(sig, c, w, this.template, set.x.subarray(i * L, (i + 1) * L), tf, C);
      if (this.second) beatInputs(sig2!, c, w, this.second.template!, set.x.subarray(i * L + 1, (i + 1) * L), tf2, C);
      set.features.set(tf, i * FEATURE_COUNT + RR_FEATURE_COUNT);
    }
    // RR: the neighbourhood (six beats each side covers the local window) and the average RR of the beats so far.
    const a = Math.max(0, first - LOOKAHEAD_BEATS - 1);
    const b = Math.min(n, first + m + LOOKAHEAD_BEATS + 1);
    const rr = rrFeatures(Float64Array.from(this.beats.slice(a, b), (s) => s / this.fs));
    for (let i = 0; i < m; i++) {
      const last = Math.min(n - 1, first + i + LOOKAHEAD_BEATS);
      const recordRR = last > 0 ? this.rrSum[last] / last : 1;
      const f = rr.subarray((first + i - a) * RR_FEATURE_COUNT, (first + i - a + 1) * RR_FEATURE_COUNT);
      f[3] = recordRR;
      f[6] = clip(f[0] / recordRR, 0, 4);
      set.features.set(f, i * FEATURE_COUNT);
    }
    return set;
  }

  /** Drop signal and beats older than the history, in steps of ten minutes. */
  private forget(): void {
    const keep = HISTORY_SECONDS * this.meta.window.fs;
    if (this.cond.out.length < keep + 600 * this.meta.window.fs) return;
    const from = this.cond.out.end - keep;
    let k = 0;
    // Never forget a beat that is not labelled yet, nor the window of the oldest kept beat.
    while (k < this.beats.length && this.beatOffset + k < this.labelled && this.center(this.beats[k]) - this.meta.window.before < from) k++;
    this.beats = this.beats.slice(k);
    const base = this.rrSum[k] ?? 0;
    this.rrSum = this.rrSum.slice(k).map((v) => v - base);
    this.beatOffset += k;
    const drop = this.beats.length ? Math.min(from, this.center(this.beats[0]) - this.meta.window.before) : from;
    this.cond.out.dropBefore(drop);
    this.second?.cond.out.dropBefore(drop); // same offset for both: beat centres index either
  }
}
