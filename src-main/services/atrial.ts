/**
 * The AF rule's P-wave test needs the signal, which the rhythm module never sees: here the recording's ECG leads
 * are read, one at a time (a 24-hour lead is tens of megabytes), and their atrial activity at the beats is attached
 * to the labelled beats.
 */
import { toPhysical, type RecordingSource } from '../domain/recording.js';
import { ecgLeadIndices } from '../model/dataset/lead.js';
import type { LabelledBeats } from '../rhythm/index.js';
import { atrialActivity, keepLarger } from '../signal/index.js';

/** `b` with the atrial activity of `source`'s ECG leads; `b` unchanged when the recording has no ECG lead or no beats. */
export async function withAtrialActivity(source: RecordingSource, b: LabelledBeats): Promise<LabelledBeats> {
  const leads = ecgLeadIndices(source.info);
  if (!leads.length || b.samples.length === 0) return b;
  let best: Float32Array | null = null;
  for (const index of leads) {
    const rec = await source.read({ channels: [index] });
    const score = atrialActivity([toPhysical(rec.signals[0])], source.info.fs, b.samples, b.labels);
    best = best ? keepLarger(best, score) : score;
  }
  return { ...b, atrialActivity: best! };
}
