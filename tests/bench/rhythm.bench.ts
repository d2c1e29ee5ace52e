/**
 * Holter summary speed on a 24-hour beat list: the 48 MIT-BIH records' reference beats (atr) end to end
 * (48 × 30 min ≈ 24 h, ~110,000 beats), summarised whole; and the Lomb–Scargle spectra alone. Then the AF rule's
 * P-wave test on the same 24 hours of signal (both leads, end to end), which the summary needs once per labelling.
 */
import { MITDB_RECORDS } from '../../src-main/domain/mitdb.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { atrialFibrillationEpisodes, beatsOfAnnotations, heartRateVariability, summarizeHolter, DEFAULT_HOLTER_SETTINGS } from '../../src-main/rhythm/index.js';
import { atrialActivity } from '../../src-main/signal/index.js';
import { loadRecord } from '../signal/records.js';
import { HAVE_MITDB, mitdbRecord } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

const RECORD_SAMPLES = 650_000;

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [];
  const samples: number[] = [];
  const labels: string[] = [];
  for (const [k, r] of MITDB_RECORDS.entries()) {
    const b = beatsOfAnnotations(await readWfdbAnnotationFile(`${mitdbRecord(r)}.atr`), 360, RECORD_SAMPLES, r);
    for (let i = 0; i < b.samples.length; i++) { samples.push(b.samples[i] + k * RECORD_SAMPLES); labels.push(b.labels[i]); }
  }
  const beats = { fs: 360, samples: Int32Array.from(samples), labels: labels.join(''), length: MITDB_RECORDS.length * RECORD_SAMPLES, source: '24-h MIT-BIH' };
  const whole = await time(() => summarizeHolter(beats), 5, 1);
  const hrv = await time(() => heartRateVariability(beats, DEFAULT_HOLTER_SETTINGS), 5, 1);
  const af = await time(() => atrialFibrillationEpisodes(beats), 5, 1);
  const n = samples.length;
  // 24 h of two leads, 31 M samples each
  const leads = [new Float32Array(MITDB_RECORDS.length * RECORD_SAMPLES), new Float32Array(MITDB_RECORDS.length * RECORD_SAMPLES)];
  for (const [k, r] of MITDB_RECORDS.entries()) {
    const rec = await loadRecord(r);
    for (const l of [0, 1]) leads[l].set(rec.leads[l].subarray(0, RECORD_SAMPLES), k * RECORD_SAMPLES);
  }
  const pWaves = await time(() => atrialActivity(leads, 360, beats.samples, beats.labels), 3, 1);
  const withP = { ...beats, atrialActivity: atrialActivity(leads, 360, beats.samples, beats.labels) };
  const afP = await time(() => atrialFibrillationEpisodes(withP), 5, 1);
  return [{
    title: 'Holter summary of a 24-hour beat list (48 MIT-BIH records end to end, atr labels)',
    columns: ['operation', 'beats', 'median ms', 'min ms', 'beats/s (median)'],
    rows: [
      ['summarizeHolter (rate, HRV time + frequency, ectopy, AF, pauses, hours)', n, whole.median, whole.min, Math.round(n / (whole.median / 1000))],
      ['heartRateVariability alone (NN filters, time domain, Lomb–Scargle per 5 min)', n, hrv.median, hrv.min, Math.round(n / (hrv.median / 1000))],
      ['atrialFibrillationEpisodes alone (64-beat trimmed nRMSSD per beat)', n, af.median, af.min, Math.round(n / (af.median / 1000))],
      ['atrialActivity: P waves of 24 h × 2 leads at 360 Hz (band-pass, 64-beat PR templates)', n, pWaves.median, pWaves.min, Math.round(n / (pWaves.median / 1000))],
      ['atrialFibrillationEpisodes with the P-wave scores', n, afP.median, afP.min, Math.round(n / (afP.median / 1000))],
    ],
    notes: ['Five timed runs after one warm-up (atrialActivity: three).'],
  }];
}
