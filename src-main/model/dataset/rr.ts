/**
 * RR-interval features of each beat. Raw intervals (s) plus ratios to the local and the recording-average RR:
 * the prematurity ratios are what make supraventricular ectopic beats separable across patients whose heart
 * rates differ (Lin & Yang, "Heartbeat classification using normalized RR-interval and morphological features",
 * Math Probl Eng 2014; de Chazal et al., IEEE TBME 2004).
 */
export const RR_FEATURE_NAMES = [
  'preRR', 'postRR', 'localRR', 'recordRR', 'pre/local', 'post/local', 'pre/record', 'post/pre', 'local-irregularity',
] as const;
export const RR_FEATURE_COUNT = RR_FEATURE_NAMES.length;

/** Beats on each side whose RR intervals make up the local average (≈10 beats in all). */
const LOCAL_HALF = 5;
const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * The last feature, local irregularity (median absolute successive RR difference over the local window divided by
 * the local mean RR), tells atrial fibrillation — where every beat looks premature or late — from isolated
 * prematurity, which keeps AF's normal beats from being called S.
 *
 * Features of every beat from the times (s) of ALL beats of the recording, in order. Writes `RR_FEATURE_COUNT`
 * values per beat into `out` (allocated when omitted). Intervals are clipped to 0.1–3 s, ratios to 0–4, so a
 * missed or spurious detection cannot produce extreme inputs.
 */
export function rrFeatures(times: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = times.length;
  const res = out ?? new Float32Array(n * RR_FEATURE_COUNT);
  if (n === 0) return res;
  // rr[i] = interval ending at beat i (i ≥ 1)
  const rr = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) rr[i - 1] = clip(times[i] - times[i - 1], 0.1, 3);
  // The mean, not the median, as de Chazal et al. 2004's "average RR": where ectopic beats are the majority
  // (MIT-BIH 232: 1,382 APCs between sinus pauses) the median RR is the ectopic interval and hides prematurity.
  let sum = 0;
  for (let i = 0; i < rr.length; i++) sum += rr[i];
  const recordRR = rr.length ? sum / rr.length : 1;
  const c = new Float64Array(rr.length + 1);
  for (let i = 0; i < rr.length; i++) c[i + 1] = c[i] + rr[i];
  const drr = new Float64Array(rr.length); // |rr[j] - rr[j-1]|
  for (let i = 1; i < rr.length; i++) drr[i] = Math.abs(rr[i] - rr[i - 1]);
  const win = new Float64Array(2 * LOCAL_HALF + 2);
  for (let i = 0; i < n; i++) {
    const pre = i > 0 ? rr[i - 1] : rr.length ? rr[0] : recordRR;
    const post = i < n - 1 ? rr[i] : pre;
    const a = Math.max(0, i - LOCAL_HALF);
    const b = Math.min(rr.length, i + LOCAL_HALF);
    const local = b > a ? (c[b] - c[a]) / (b - a) : recordRR;
    const o = i * RR_FEATURE_COUNT;
    res[o] = pre;
    res[o + 1] = post;
    res[o + 2] = local;
    res[o + 3] = recordRR;
    res[o + 4] = clip(pre / local, 0, 4);
    res[o + 5] = clip(post / local, 0, 4);
    res[o + 6] = clip(pre / recordRR, 0, 4);
    res[o + 7] = clip(post / pre, 0, 4);
    // median, not mean: an isolated ectopic beat makes only two large successive differences in the window
    const a1 = Math.max(a, 1);
    let m = 0;
    for (let j = a1; j < b; j++) win[m++] = drr[j];
    const w = win.subarray(0, m).sort();
    res[o + 8] = m > 0 ? clip((m % 2 ? w[m >> 1] : 0.5 * (w[(m >> 1) - 1] + w[m >> 1])) / local, 0, 2) : 0;
  }
  return res;
}
