/**
 * The AF rule's P-wave test needs the signal, which the rhythm module never sees: here the recording's ECG leads
 * are read, one lead and about a minute at a time (a 24-hour lead is tens of megabytes), and their atrial activity
 * at the beats is attached to the labelled beats.
 */
import { toPhysical, type RecordingSource } from '../domain/recording.js';
import { ecgLeadIndices } from '../model/dataset/lead.js';
import type { LabelledBeats } from '../rhythm/index.js';
import { atrialActivityOfLead, keepLarger } from '../signal/index.js';

/** `b` with the atrial activity of `source`'s ECG leads; `b` unchanged when the recording has no ECG lead or no beats. */
export async function withAtrialActivity(source: RecordingSource, b: LabelledBeats): Promise<LabelledBeats> {
  const leads = ecgLeadIndices(source.info);
  if (!leads.length || b.samples.length === 0) return b;
  let best: Float32Array | null = null;
  for (const index of leads) {
    const read = async (from: number, to: number) => toPhysical((await source.read({ from, to, channels: [index] })).signals[0]);
    const score = await atrialActivityOfLead(read, source.info.length, source.info.fs, b.samples, b.labels);
    best = best ? keepLarger(best, score) : score;
  }
  return { ...b, atrialActivity: best! };
}
