/**
 * QRS detection for live labels: the fast causal detector (detect-qrs-fast.ts, every beat ≤ 30 ms after its
 * fiducial) followed by the noise gate in its causal form (noise-gate.ts, `causal: true`). The offline gate
 * judges a detection on the 10 s around it and so releases it 5 s late; the causal one judges it on the 10 s
 * before it — "has the signal been ECG?" — and releases it at once. What it gives up: the first beats after a
 * noisy stretch are dropped until the window recurs again, and a noise burst starting after clean ECG gets
 * through until it fills the window (hysteresis keeps noisy ECG as ECG).
 *
 * Both `ecg-review classify` (for causal models) and the device agent use this, so their beats are the same.
 * Streaming: input is processed in blocks of at most one second (the gate's ring is sized for that), each
 * detection is judged when the fast detector returns it, and any chunking gives the batch result.
 */
import { SignalError } from './errors.js';
import { FastQrsDetector, runWhole, type FastQrsDetectorOptions } from './detect-qrs-fast.js';
import { NoiseGate } from './noise-gate.js';

export interface LiveQrsDetectorOptions extends FastQrsDetectorOptions {
  /** The causal noise gate; `false` turns it off (the fast detector alone). Default on. */
  noiseGate?: boolean;
  /** Called for each run of detections judged not to be ECG (and dropped): [first, last + 1) in samples. */
  onUnreadable?: (from: number, to: number) => void;
}

export class LiveQrsDetector {
  private readonly fast: FastQrsDetector;
  private readonly gate: NoiseGate | null;
  private readonly block: number;
  private readonly held: Float64Array[];
  private readonly last: Float64Array;
  private t = 0;
  private readonly out: number[] = [];

  constructor(readonly fs: number, readonly leads: number, options: LiveQrsDetectorOptions = {}) {
    const { noiseGate = true, onUnreadable, ...fastOptions } = options;
    this.fast = new FastQrsDetector(fs, leads, fastOptions);
    this.block = Math.max(1, Math.round(fs));
    // the detector's refractory period (200 ms) bounds how many detections a window holds
    this.gate = noiseGate ? new NoiseGate(fs, leads, { causal: true, onUnreadable }, this.block, Math.round(0.2 * fs)) : null;
    this.held = Array.from({ length: leads }, () => new Float64Array(this.block));
    this.last = new Float64Array(leads);
  }

  /** Feed one chunk per lead (equal lengths, NaN = invalid); returns the beats released during it. */
  push(leads: ArrayLike<number>[]): Int32Array {
    if (leads.length !== this.leads) throw new SignalError(`live QRS detector was made for ${this.leads} lead(s), got ${leads.length}`);
    const n = leads[0].length;
    for (const x of leads) if (x.length !== n) throw new SignalError(`leads of one chunk must have equal lengths, got ${leads.map((x) => x.length).join(' and ')}`);
    for (let from = 0; from < n; from += this.block) {
      const to = Math.min(n, from + this.block);
      const parts = leads.map((x) => (Array.isArray(x) ? x.slice(from, to) : (x as Float32Array).subarray(from, to)));
      this.feedGate(parts, to - from);
      this.judge(this.fast.push(parts));
    }
    return this.take();
  }

  /** The recording has ended: the detector's last beats, judged. */
  flush(): Int32Array {
    this.judge(this.fast.flush());
    return this.take();
  }

  private feedGate(parts: ArrayLike<number>[], len: number): void {
    if (!this.gate) return;
    for (let l = 0; l < this.leads; l++) {
      const h = this.held[l], x = parts[l];
      let prev = this.last[l];
      for (let i = 0; i < len; i++) { const v = x[i]; if (Number.isFinite(v)) prev = v; h[i] = prev; }
      this.last[l] = prev;
      this.gate.feedInput(l, h, len, this.t);
    }
    this.t += len;
  }

  private judge(beats: Int32Array): void {
    for (const b of beats) {
      if (!this.gate) { this.out.push(b); continue; }
      this.gate.add(b);
      this.gate.decide(b, this.out);
    }
  }

  private take(): Int32Array {
    const r = Int32Array.from(this.out);
    this.out.length = 0;
    return r;
  }
}

/** Batch form: the beats `LiveQrsDetector` releases for a whole recording. */
export function detectQrsLive(leads: ArrayLike<number>[], fs: number, options: LiveQrsDetectorOptions = {}): Int32Array {
  return runWhole(new LiveQrsDetector(fs, leads.length, options), leads);
}
