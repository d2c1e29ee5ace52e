/**
 * Patient-specific adaptation (model/adapt.ts): the time to fine-tune a shipped model on one patient's EC57
 * learning period (the first 5 minutes of record 213: 551 labelled beats) with the default settings, on the
 * engine in use, for the device student and the largest shipped model.
 */
import { readAnnotations, openRecording } from '../../src-main/formats/index.js';
import { adaptModel, labelsFromAnnotations, DEFAULT_ADAPT_OPTIONS } from '../../src-main/model/adapt.js';
import { beatsFromAnnotations, buildRecordBeats } from '../../src-main/model/dataset/beats.js';
import { describeEngine, initEngine } from '../../src-main/model/engine/backend.js';
import { loadModel } from '../../src-main/model/io.js';
import { HAVE_MITDB, mitdbRecord } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [];
  const engine = await initEngine({ prefer: (process.env.MODEL_BENCH_BACKENDS?.split(',')[0] as 'wasm') ?? 'wasm' });
  const rows: (string | number)[][] = [];
  for (const name of ['causal-student-int8', 'causal-cnn', 'attention-seeds']) {
    const m = await loadModel(name);
    const src = await openRecording(mitdbRecord('213'));
    const anns = await readAnnotations(src, 'atr');
    const set = await buildRecordBeats(src, beatsFromAnnotations(anns), { window: m.meta.window });
    await src.close();
    const learn = labelsFromAnnotations(set, anns, src.info.fs, 300, m.meta.classes);
    const t = await time(async () => { (await adaptModel(m, set, learn, 'atr, first 300 s')).model.dispose(); }, 3, 1);
    rows.push([name, m.model.countParams(), learn.indices.length, t.median, t.min, Math.round((learn.indices.length * DEFAULT_ADAPT_OPTIONS.epochs) / (t.median / 1000))]);
    m.model.dispose();
  }
  return [{
    title: `Adapting a model to one patient: 5-minute learning period of 213, ${DEFAULT_ADAPT_OPTIONS.epochs} epochs (${describeEngine(engine)})`,
    columns: ['model', 'parameters', 'labelled beats', 'median ms', 'min ms', 'beat-epochs/s'],
    rows,
    notes: ['Three timed runs after one warm-up; each copies the model, computes its own outputs on the labelled beats and fine-tunes.'],
  }];
}
