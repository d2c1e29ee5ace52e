/**
 * `ecg-review classify --format json` output read back for evaluation: each beat's position, the AAMI class the
 * model gave and its class probabilities, so that `evaluate` can score the labels as bxb does and also the
 * calibration of their confidence.
 */
import { readFile } from 'node:fs/promises';
import { AAMI_CLASSES, type AamiClass } from '../domain/aami.js';
import { annotationCode, type Annotation } from '../domain/annotation.js';
import type { AfEpisode } from '../domain/holter.js';
import { EvaluationError } from './errors.js';

export interface ClassifierOutput {
  record: string;
  /** Beat positions (samples), ascending, and the class given to each. */
  samples: Int32Array;
  classes: AamiClass[];
  /** Probabilities per beat in AAMI_CLASSES order (a class the model lacks has 0). */
  probabilities: Float32Array;
  /** AF found from the labels (seconds), when the output carries it (`afEpisodes`). */
  afEpisodes?: AfEpisode[];
}

interface JsonBeat { sample?: unknown; class?: unknown; probabilities?: unknown }

export async function readClassifierOutput(path: string): Promise<ClassifierOutput> {
  let doc: { record?: unknown; beats?: unknown; afEpisodes?: unknown };
  try {
    doc = JSON.parse(await readFile(path, 'utf8')) as typeof doc;
  } catch (e) {
    throw new EvaluationError(`not classifier JSON output (ecg-review classify --format json): ${(e as Error).message}`, path);
  }
  if (!Array.isArray(doc.beats)) throw new EvaluationError('classifier JSON output has no "beats" array', path);
  const beats = doc.beats as JsonBeat[];
  const n = beats.length;
  const samples = new Int32Array(n);
  const classes: AamiClass[] = [];
  const probabilities = new Float32Array(n * AAMI_CLASSES.length);
  beats.forEach((b, i) => {
    const c = b.class as AamiClass;
    if (typeof b.sample !== 'number' || !Number.isInteger(b.sample) || b.sample < 0) throw new EvaluationError(`beat ${i} has no whole sample number`, path);
    if (!AAMI_CLASSES.includes(c)) throw new EvaluationError(`beat ${i} has class ${JSON.stringify(b.class)}, not one of ${AAMI_CLASSES.join(' ')}`, path);
    if (i > 0 && b.sample < samples[i - 1]) throw new EvaluationError(`beat ${i} (sample ${b.sample}) comes before the beat ahead of it`, path);
    samples[i] = b.sample;
    classes.push(c);
    const p = (b.probabilities ?? {}) as Record<string, unknown>;
    AAMI_CLASSES.forEach((k, j) => {
      const v = p[k] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new EvaluationError(`beat ${i} has probability ${JSON.stringify(v)} for ${k}, outside [0, 1]`, path);
      probabilities[i * AAMI_CLASSES.length + j] = v;
    });
  });
  let afEpisodes: AfEpisode[] | undefined;
  if (doc.afEpisodes !== undefined) {
    if (!Array.isArray(doc.afEpisodes)) throw new EvaluationError('"afEpisodes" is not an array of {start, end} (seconds)', path);
    afEpisodes = (doc.afEpisodes as { start?: unknown; end?: unknown }[]).map((e, i) => {
      if (typeof e?.start !== 'number' || typeof e.end !== 'number' || !(e.end >= e.start && e.start >= 0)) throw new EvaluationError(`AF episode ${i} is not {start, end} with 0 ≤ start ≤ end (seconds)`, path);
      return { start: e.start, end: e.end };
    });
  }
  return { record: typeof doc.record === 'string' ? doc.record : '', samples, classes, probabilities, ...(afEpisodes ? { afEpisodes } : {}) };
}

/** The output's beats as annotations with the MIT symbol of their class (what `classify --format wfdb` writes). */
export function classifierAnnotations(o: ClassifierOutput): Annotation[] {
  return Array.from(o.samples, (sample, i) => ({ sample, symbol: o.classes[i], code: annotationCode(o.classes[i]) ?? 0, subtype: 0, chan: 0, num: 0, aux: '' }));
}
