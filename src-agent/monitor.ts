/**
 * Live monitoring: ECG from a source (a recording replayed in real time or faster, or a raw stream on stdin)
 * goes through the model's beat pipeline, and every labelled beat, the heart rate and alerts go out to the
 * subscribed apps.
 *
 * Two delays are reported per beat. `latencyMs`: from the arrival of the samples that made the beat ready (the
 * detector has confirmed it, the next beat is known, the window after it is complete) to the label being
 * streamed — the work the device adds; this is the p50/p95 in the status. `delayMs`: from the arrival of the
 * R peak itself to the label, which adds the look-ahead that RR features and the beat window need (about one
 * RR interval) and is bounded by the rhythm, not by the device.
 */
import type { Readable } from 'node:stream';
import { toPhysical } from '../src-main/domain/recording.js';
import { openRecording } from '../src-main/formats/index.js';
import { DeviceError } from '../src-main/devices/errors.js';
import type { LatencyStats, StreamMessage } from '../src-main/devices/protocol.js';
import { ecgLeadIndices } from '../src-main/model/dataset/lead.js';
import { RhythmAlarms } from '../src-main/rhythm/index.js';
import { LiveAtrialActivity } from '../src-main/signal/index.js';
import type { BeatPipeline, LoadedModel, ModelRuntime } from './runtime.js';

export type MonitorSource =
  | { kind: 'replay'; record: string; speed: number; loop?: boolean; /** Play only the first this many seconds. */ seconds?: number }
  /** Interleaved little-endian int16 frames (one sample per lead per frame) at `fs`, `gain` adu per mV. */
  | { kind: 'stream'; name: string; input: Readable; fs: number; leads: string[]; gain: number; baseline?: number };

interface MonitorDeps {
  runtime: ModelRuntime;
  model: () => { model: LoadedModel; id: string } | null;
  emit: (m: StreamMessage) => void;
}

const LATENCY_WINDOW = 5000;

export class Monitor {
  running = false;
  sourceName: string | null = null;
  beats = 0;
  speed = 1;
  private stopRequested = false;
  private done: Promise<void> = Promise.resolve();
  private latencies: number[] = [];
  private alarms = new RhythmAlarms();
  /** The P waves the AF alarm looks at, from the source's ECG leads (null when it has none). */
  private atrial: { live: LiveAtrialActivity; leads: number[] } | null = null;
  private lastBeatTime: number | null = null;

  constructor(private readonly deps: MonitorDeps) {}

  latency(): LatencyStats {
    if (this.latencies.length === 0) return { p50: null, p95: null, count: 0 };
    const s = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { p50: q(0.5), p95: q(0.95), count: s.length };
  }

  async start(source: MonitorSource): Promise<void> {
    await this.stop();
    const active = this.deps.model();
    if (!active) throw new DeviceError('no model is active on this device; push one first', undefined, 409);
    this.stopRequested = false;
    this.running = true;
    this.beats = 0;
    this.latencies = [];
    this.alarms = new RhythmAlarms();
    this.lastBeatTime = null;
    this.sourceName = source.kind === 'replay' ? source.record : source.name;
    this.speed = source.kind === 'replay' ? source.speed : 1;
    this.deps.emit({ type: 'status', running: true, source: this.sourceName });
    const run = source.kind === 'replay' ? this.replay(source) : this.stream(source);
    this.done = run
      .catch((e: Error) => this.deps.emit({ type: 'alert', time: 0, kind: 'source-error', message: e.message }))
      .finally(() => {
        this.running = false;
        this.deps.emit({ type: 'end', beats: this.beats });
        this.deps.emit({ type: 'status', running: false, source: this.sourceName });
      });
    // Surface an immediate failure to open the source to the caller.
    await Promise.race([this.done, new Promise((r) => setTimeout(r, 50))]);
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.done;
  }

  /** Wait until the current source has been played to its end. */
  finished(): Promise<void> {
    return this.done;
  }

  private pipeline(fs: number, leads: string[]): { pipe: BeatPipeline; id: string } {
    const active = this.deps.model()!;
    const ecg = ecgLeadIndices({ signals: leads.map((name) => ({ name })) });
    this.atrial = ecg.length ? { live: new LiveAtrialActivity(fs, ecg.length), leads: ecg } : null;
    return { pipe: this.deps.runtime.pipeline(active.model, fs, leads), id: active.id };
  }

  /** The next samples of every lead, to the beat pipeline and to the P-wave measure. */
  private feed(pipe: BeatPipeline, leads: Float32Array[]): ReturnType<BeatPipeline['push']> {
    this.atrial?.live.push(this.atrial.leads.map((l) => leads[l]));
    return pipe.push(leads);
  }

  private async replay(source: Extract<MonitorSource, { kind: 'replay' }>): Promise<void> {
    const src = await openRecording(source.record);
    try {
      const { fs } = src.info;
      const length = source.seconds !== undefined ? Math.min(src.info.length, Math.round(source.seconds * fs)) : src.info.length;
      const { pipe, id } = this.pipeline(fs, src.info.signals.map((s) => s.name));
      // Feed 10 ms of signal per tick at real time (a device's ADC delivers small packets; a causal model labels
      // a beat ~30 ms after its R peak, so coarser ticks would dominate its delay); faster replays feed more per tick.
      const tickMs = 10;
      const perTick = Math.max(1, Math.round((fs * tickMs * Math.max(source.speed, 0.01)) / 1000));
      const arrival = new Float64Array(Math.ceil(length / perTick) + 1);
      const t0 = performance.now();
      for (let from = 0, tick = 0; from < length && !this.stopRequested; from += perTick, tick++) {
        const due = t0 + tick * tickMs;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const to = Math.min(length, from + perTick);
        const rec = await src.read({ from, to });
        arrival[tick] = performance.now();
        const out = await this.feed(pipe, rec.signals.map((s) => toPhysical(s)));
        this.publish(out, fs, id, (sample) => arrival[Math.floor(sample / perTick)] ?? arrival[tick]);
        this.elapse(pipe, to / fs);
      }
      if (!this.stopRequested) this.publish(await pipe.flush(), fs, id, () => performance.now());
    } finally {
      await src.close();
    }
  }

  private async stream(source: Extract<MonitorSource, { kind: 'stream' }>): Promise<void> {
    const { pipe, id } = this.pipeline(source.fs, source.leads);
    const nl = source.leads.length;
    const frameBytes = 2 * nl;
    let carry: Buffer = Buffer.alloc(0);
    let sample0 = 0;
    const arrivals: { upTo: number; at: number }[] = [];
    for await (const chunk of source.input) {
      if (this.stopRequested) break;
      const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      const frames = Math.floor(buf.length / frameBytes);
      carry = buf.subarray(frames * frameBytes);
      if (frames === 0) continue;
      const leads = Array.from({ length: nl }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let l = 0; l < nl; l++) leads[l][f] = (buf.readInt16LE((f * nl + l) * 2) - (source.baseline ?? 0)) / source.gain;
      }
      sample0 += frames;
      arrivals.push({ upTo: sample0, at: performance.now() });
      if (arrivals.length > 1000) arrivals.splice(0, 500);
      const out = await this.feed(pipe, leads);
      this.publish(out, source.fs, id, (s) => arrivals.find((a) => a.upTo > s)?.at ?? performance.now());
      this.elapse(pipe, sample0 / source.fs);
    }
    this.publish(await pipe.flush(), source.fs, id, () => performance.now());
  }

  /**
   * The signal has reached `now` (s): a pause still going on raises its alarm now, not at the next beat — when the
   * pipeline's beats are out within a known short delay (causal models). Otherwise the ending beat raises it.
   */
  private elapse(pipe: BeatPipeline, now: number): void {
    if (pipe.maxDelaySeconds === undefined) return;
    for (const a of this.alarms.elapse(now - pipe.maxDelaySeconds)) this.deps.emit({ type: 'alert', time: a.time, kind: a.kind, message: a.message });
  }

  private publish(
    beats: { sample: number; label: string; probabilities: number[] | null; readyAtSample: number }[],
    fs: number,
    modelId: string,
    arrivalOf: (sample: number) => number,
  ): void {
    for (const b of beats) {
      const now = performance.now();
      const latencyMs = Math.max(0, now - arrivalOf(b.readyAtSample));
      const delayMs = Math.max(0, now - arrivalOf(b.sample));
      this.latencies.push(latencyMs);
      if (this.latencies.length > LATENCY_WINDOW) this.latencies.splice(0, this.latencies.length - LATENCY_WINDOW);
      this.beats++;
      const time = b.sample / fs;
      this.deps.emit({ type: 'beat', sample: b.sample, time, label: b.label, probabilities: b.probabilities, latencyMs, delayMs, modelId });
      if (this.lastBeatTime !== null && time > this.lastBeatTime) {
        const bpm = 60 / (time - this.lastBeatTime);
        this.deps.emit({ type: 'rate', time, bpm });
      }
      this.lastBeatTime = time;
      // Ventricular and supraventricular runs, pauses, extreme rates, AF (with the P waves): the Holter summary's definitions (src-main/rhythm).
      const atrial = this.atrial ? this.atrial.live.beat(b.sample, b.label) : NaN;
      for (const a of this.alarms.push(time, b.label, atrial)) this.deps.emit({ type: 'alert', time: a.time, kind: a.kind, message: a.message });
    }
  }
}
