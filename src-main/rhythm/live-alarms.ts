/**
 * Rhythm alarms of a bedside monitor, beat by beat as labels arrive: the same definitions as the Holter summary
 * (ectopy.ts, heart-rate.ts), so a device's alarms and the offline report count the same events.
 * - `ventricular-run` / `supraventricular-run`: the third consecutive V (or S) beat, once per run; a supraventricular
 *   run alarms only at tachycardia rates (≥ 100 bpm), where it is SVT rather than an atrial rhythm;
 * - `pause`: an RR interval of at least `pauseSeconds` (default 3 s, where bedside monitors commonly alarm). `elapse`
 *   raises it while the pause goes on, once no beat has come for `pauseSeconds` + `settleSeconds` (the detector
 *   confirms a beat a little after its R peak); otherwise the beat that ends it does. One alarm per pause;
 * - `bradycardia` / `tachycardia`: the rate over the last `rateBeats` beats below `bradycardiaBpm` or above
 *   `tachycardiaBpm`, once until the rate recovers past the limit by `hysteresisBpm`;
 * - `atrial-fibrillation`: the Holter summary's AF rule (atrial-fibrillation.ts, chosen on DS1) over the intervals
 *   of the last `af.windowBeats` beats rather than a window centred on the beat, since later beats are not there
 *   yet: the NN score, or the supraventricular score where too few NN intervals are left (a model calling AF beats
 *   S). Irregular for `af.minSeconds`, with lapses shorter than `af.mergeSeconds` bridged. Once per episode; the
 *   episode ends, and a new one may alarm, after `af.minSeconds` without an irregular window. While an AF episode
 *   is alarmed, S runs raise no SVT alarm: the summary counts them as conducted AF. Where the caller gives the
 *   beat's atrial activity (signal/atrial-activity.ts, `LiveAtrialActivity`) and it shows no P wave, half the
 *   irregularity is enough, as in the summary: AF with a fast or regular response.
 */
import { DEFAULT_AF_SETTINGS, supraventricularIrregularity, trimmedIrregularity, type AfSettings } from './atrial-fibrillation.js';
import { TACHYCARDIA_BPM } from './ectopy.js';
import { RhythmError } from './errors.js';

export interface LiveAlarm {
  kind: 'ventricular-run' | 'supraventricular-run' | 'pause' | 'bradycardia' | 'tachycardia' | 'atrial-fibrillation';
  /** Time (s) of the beat that raised it. */
  time: number;
  message: string;
}

export interface LiveAlarmSettings {
  pauseSeconds: number;
  /** How long after its R peak a beat may still arrive (the live detector confirms ~30 ms after it). */
  settleSeconds: number;
  rateBeats: number;
  bradycardiaBpm: number;
  tachycardiaBpm: number;
  hysteresisBpm: number;
  af: AfSettings;
}

export const DEFAULT_LIVE_ALARMS: Readonly<LiveAlarmSettings> = { pauseSeconds: 3, settleSeconds: 0.1, rateBeats: 8, bradycardiaBpm: 40, tachycardiaBpm: 150, hysteresisBpm: 5, af: DEFAULT_AF_SETTINGS };

export class RhythmAlarms {
  private readonly s: LiveAlarmSettings;
  private times: number[] = [];
  private runLabel = '';
  private runStart = 0;
  private runLength = 0;
  private rateAlarm: 'bradycardia' | 'tachycardia' | null = null;
  /** The current gap (since the last beat) has already raised its pause alarm. */
  private pauseRaised = false;
  private lastLabel = '';
  /** NN interval (s) ending at each of the last `af.windowBeats` beats (NaN: not between two N beats), a ring. */
  private readonly nn: Float64Array;
  /** Interval (s) ending at each of the last beats when both beats are N or S (else NaN), the same ring. */
  private readonly sv: Float64Array;
  private readonly svOrdered: Float64Array;
  private nnAt = 0;
  private readonly xs: Float64Array;
  private readonly diffs: Float64Array;
  private afSince: number | null = null;
  private afLastIrregular = 0;
  private afRaised = false;

  constructor(settings: Partial<LiveAlarmSettings> = {}) {
    this.s = { ...DEFAULT_LIVE_ALARMS, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
    if (!(this.s.settleSeconds >= 0)) throw new RhythmError(`settle time must be ≥ 0 s, got ${this.s.settleSeconds}`, 'alarm settings');
    if (!(this.s.pauseSeconds > 0)) throw new RhythmError(`pause alarm threshold must be a positive number of seconds, got ${this.s.pauseSeconds}`, 'alarm settings');
    if (!(Number.isInteger(this.s.rateBeats) && this.s.rateBeats >= 2)) throw new RhythmError(`rate alarms need a whole number ≥ 2 of beats, got ${this.s.rateBeats}`, 'alarm settings');
    if (!(this.s.bradycardiaBpm > 0 && this.s.tachycardiaBpm > this.s.bradycardiaBpm)) throw new RhythmError(`rate limits must satisfy 0 < bradycardia < tachycardia, got ${this.s.bradycardiaBpm} and ${this.s.tachycardiaBpm} bpm`, 'alarm settings');
    if (!(Number.isInteger(this.s.af.windowBeats) && this.s.af.windowBeats >= 8)) throw new RhythmError(`AF window must be a whole number ≥ 8 of beats, got ${this.s.af.windowBeats}`, 'alarm settings');
    this.nn = new Float64Array(this.s.af.windowBeats).fill(NaN);
    this.sv = new Float64Array(this.s.af.windowBeats).fill(NaN);
    this.svOrdered = new Float64Array(this.s.af.windowBeats);
    this.xs = new Float64Array(this.s.af.windowBeats);
    this.diffs = new Float64Array(this.s.af.windowBeats);
  }

  /** The AF rule on the NN intervals of the last beats, after the beat at `time` (s) labelled `label`. */
  private atrialFibrillation(time: number, label: string, prev: number | null, atrial: number): LiveAlarm[] {
    const af = this.s.af;
    const sv = (l: string): boolean => l === 'N' || l === 'S';
    this.nn[this.nnAt] = prev !== null && label === 'N' && this.lastLabel === 'N' ? time - prev : NaN;
    this.sv[this.nnAt] = prev !== null && sv(label) && sv(this.lastLabel) ? time - prev : NaN;
    this.nnAt = (this.nnAt + 1) % af.windowBeats;
    let m = 0;
    for (let k = 0; k < af.windowBeats; k++) {
      const at = (this.nnAt + k) % af.windowBeats; // oldest first
      const v = this.nn[at];
      if (!Number.isNaN(v)) this.xs[m++] = v;
      this.svOrdered[k] = this.sv[at];
    }
    const half = Math.floor(af.windowBeats / 2);
    const nnScore = m >= half ? trimmedIrregularity(this.xs, m, this.diffs) : NaN;
    const svScore = Number.isNaN(nnScore) ? supraventricularIrregularity(this.svOrdered, af.windowBeats, this.diffs, half) : NaN;
    // NaN atrial activity (none given, or not judged) is not below the level: the full irregularity is needed
    const share = atrial < af.noPWave ? af.noPWaveShare : 1;
    const limit = share * (Number.isNaN(nnScore) ? af.fallbackThreshold : af.threshold);
    const score = Number.isNaN(nnScore) ? svScore : nnScore;
    const irregular = score > limit;
    if (irregular) {
      this.afSince ??= time;
      this.afLastIrregular = time;
      if (!this.afRaised && time - this.afSince >= af.minSeconds) {
        this.afRaised = true;
        const why = `${Number.isNaN(nnScore) ? 'supraventricular' : 'NN'} irregularity ${score.toFixed(2)} > ${+limit.toFixed(4)}${share < 1 ? `, no P waves (atrial activity ${atrial.toFixed(2)} < ${af.noPWave})` : ''}`;
        return [{ kind: 'atrial-fibrillation', time, message: `irregularly irregular rhythm for ${(time - this.afSince).toFixed(0)} s at ${time.toFixed(1)} s (${why}): atrial fibrillation?` }];
      }
    } else if (this.afSince !== null && time - this.afLastIrregular >= (this.afRaised ? af.minSeconds : af.mergeSeconds)) {
      // an alarmed episode ends as it began, after minSeconds (of regular rhythm), so one AF episode whose
      // irregularity dips for a few seconds is not announced again and again
      this.afSince = null;
      this.afRaised = false;
    }
    return [];
  }

  /** Signal time `now` (s) has been reached with no new beat: raise a pause alarm once the gap is long enough. */
  elapse(now: number): LiveAlarm[] {
    const last = this.times.length ? this.times[this.times.length - 1] : null;
    if (last === null || this.pauseRaised || now - last < this.s.pauseSeconds + this.s.settleSeconds) return [];
    this.pauseRaised = true;
    return [{ kind: 'pause', time: now, message: `no beat for ${(now - last).toFixed(1)} s since the beat at ${last.toFixed(1)} s` }];
  }

  /**
   * The next beat, in time order: its time (s), AAMI label and, where the signal is at hand, the atrial activity of
   * the beats up to it (NaN: judge AF from the RR intervals alone). Returns the alarms it raises.
   */
  push(time: number, label: string, atrial = NaN): LiveAlarm[] {
    const out: LiveAlarm[] = [];
    const prev = this.times.length ? this.times[this.times.length - 1] : null;
    if (prev !== null && !(time > prev)) return out; // a repeated or out-of-order beat changes nothing
    if (prev !== null && time - prev >= this.s.pauseSeconds && !this.pauseRaised) out.push({ kind: 'pause', time, message: `pause of ${(time - prev).toFixed(1)} s before the beat at ${time.toFixed(1)} s` });
    this.pauseRaised = false;
    out.push(...this.atrialFibrillation(time, label, prev, atrial));
    this.lastLabel = label;
    this.times.push(time);
    if (this.times.length > this.s.rateBeats) this.times.shift();

    if (label === this.runLabel) this.runLength++;
    else { this.runLabel = label; this.runLength = 1; this.runStart = time; }
    if (this.runLength === 3 && (label === 'V' || label === 'S')) {
      const rate = (60 * 2) / (time - this.runStart);
      if (label === 'V') out.push({ kind: 'ventricular-run', time, message: `run of 3 or more V beats at ${time.toFixed(1)} s, ${rate.toFixed(0)} bpm${rate >= TACHYCARDIA_BPM ? ' (ventricular tachycardia)' : ''}` });
      else if (rate >= TACHYCARDIA_BPM && !this.afRaised) out.push({ kind: 'supraventricular-run', time, message: `run of 3 or more S beats at ${time.toFixed(1)} s, ${rate.toFixed(0)} bpm (supraventricular tachycardia)` });
    }

    if (this.times.length === this.s.rateBeats) {
      const bpm = (60 * (this.times.length - 1)) / (this.times[this.times.length - 1] - this.times[0]);
      const h = this.s.hysteresisBpm;
      if (this.rateAlarm === 'bradycardia' && bpm > this.s.bradycardiaBpm + h) this.rateAlarm = null;
      if (this.rateAlarm === 'tachycardia' && bpm < this.s.tachycardiaBpm - h) this.rateAlarm = null;
      if (!this.rateAlarm && bpm < this.s.bradycardiaBpm) { this.rateAlarm = 'bradycardia'; out.push({ kind: 'bradycardia', time, message: `heart rate ${bpm.toFixed(0)} bpm over the last ${this.s.rateBeats} beats (< ${this.s.bradycardiaBpm})` }); }
      if (!this.rateAlarm && bpm > this.s.tachycardiaBpm) { this.rateAlarm = 'tachycardia'; out.push({ kind: 'tachycardia', time, message: `heart rate ${bpm.toFixed(0)} bpm over the last ${this.s.rateBeats} beats (> ${this.s.tachycardiaBpm})` }); }
    }
    return out;
  }
}
