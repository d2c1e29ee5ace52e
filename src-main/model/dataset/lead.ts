import type { RecordingInfo } from '../../domain/recording.js';
import { ModelError } from '../errors.js';

/** Signals that are certainly not ECG leads (EDF annotation channel, respiration, pressure, SpO2…). */
const NON_ECG = /annotation|resp|abp|art|pleth|spo2|sao2|temp|pressure|status|event|marker/i;

/**
 * The signal a classifier reads: the lead named `requested` (case-insensitive, exact name), else MLII when the
 * recording has one, else the first signal that looks like an ECG lead. MIT-BIH records 102/104 have no MLII and
 * 114 has MLII as its second signal, which is why the choice is by name and always reported.
 */
export function chooseLead(info: RecordingInfo, requested?: string): { index: number; name: string } {
  const names = info.signals.map((s) => s.name);
  if (requested !== undefined) {
    const i = names.findIndex((n) => n.toLowerCase() === requested.toLowerCase());
    if (i < 0) throw new ModelError(`has no lead named '${requested}' (leads: ${names.join(', ') || 'none'})`, info.path);
    return { index: i, name: names[i] };
  }
  const ml = names.findIndex((n) => n.toUpperCase() === 'MLII');
  if (ml >= 0) return { index: ml, name: names[ml] };
  const ecg = names.findIndex((n) => !NON_ECG.test(n));
  if (ecg < 0) throw new ModelError(`has no ECG lead (signals: ${names.join(', ') || 'none'})`, info.path);
  return { index: ecg, name: names[ecg] };
}

/** Indices of the signals that look like ECG leads, in file order (`names`: a live stream's leads). */
export function ecgLeadIndices(info: RecordingInfo | { signals: { name: string }[] }): number[] {
  return info.signals.flatMap((s, i) => (NON_ECG.test(s.name) ? [] : [i]));
}

/**
 * The second lead a two-lead model reads: the first signal other than `primary` that looks like an ECG lead
 * (MIT-BIH: V1 in most records, V2, V4 or V5 in some).
 */
export function chooseSecondLead(info: RecordingInfo, primary: number): { index: number; name: string } {
  const names = info.signals.map((s) => s.name);
  const i = names.findIndex((n, k) => k !== primary && !NON_ECG.test(n));
  if (i < 0) throw new ModelError(`a two-lead model needs a second ECG lead, but the recording has only ${names[primary]} (signals: ${names.join(', ')})`, info.path);
  return { index: i, name: names[i] };
}
