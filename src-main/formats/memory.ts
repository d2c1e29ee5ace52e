/**
 * A recording held in memory, from physical values: what a live stream or a test hands to code that reads
 * through `RecordingSource`. Physical values are stored as Int32 at 10,000 adu per unit (0.1 µV steps for mV),
 * far finer than any ECG front end, so the round trip through `toPhysical` is exact to Float32 precision.
 */
import type { Annotation } from '../domain/annotation.js';
import type { Recording, RecordingInfo, RecordingSource, SampleWindow } from '../domain/recording.js';
import { FormatError } from './errors.js';
import { checkWindow } from './window.js';

export const MEMORY_GAIN = 10_000;

export function memoryRecording(name: string, fs: number, leads: readonly Float32Array[], leadNames: readonly string[], units = 'mV'): RecordingSource {
  const length = leads[0]?.length ?? 0;
  if (leads.some((l) => l.length !== length)) throw new FormatError(name, 'in-memory leads have different lengths');
  const digital = leads.map((l) => {
    const d = new Int32Array(l.length);
    for (let i = 0; i < l.length; i++) d[i] = Number.isFinite(l[i]) ? Math.round(l[i] * MEMORY_GAIN) : -(2 ** 31);
    return d;
  });
  const info: RecordingInfo = {
    name, path: name, format: 'csv', fs, length, startTime: null, warnings: [], comments: [],
    signals: leadNames.map((n) => ({ name: n, units, gain: MEMORY_GAIN, baseline: 0, adcResolution: 32, adcZero: 0, storage: 'memory', invalidValue: -(2 ** 31) })),
  };
  return {
    info,
    async read(w: SampleWindow = {}): Promise<Recording> {
      const { from, to, channels } = checkWindow(name, info, w);
      return { info, from, to, signals: channels.map((c) => ({ ...info.signals[c], samples: digital[c].subarray(from, to) })) };
    },
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => {},
  };
}
