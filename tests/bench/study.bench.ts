/**
 * The Study tab's call (`getStudy`) on the 22 DS2 records: one and three models, intervals from 2,000 and 0
 * bootstrap draws, and the report (`exportStudyReport`, HTML only). The runs are classified once, untimed; the
 * study itself re-scores every run (bxb under two mappings, sumstats) and bootstraps over recordings each time.
 */
import { DS2 } from '../../src-main/domain/mitdb.js';
import { makeService, waitJob } from '../app/helpers.js';
import { mitdbRecord } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

const MODELS = ['causal-student-int8', 'cnn', 'transformer'];

export async function run(): Promise<BenchTable[]> {
  const s = makeService();
  try {
    const ids: string[] = [];
    for (const r of DS2) ids.push((await s.openRecording(mitdbRecord(r))).id);
    const runIds = new Map<string, string[]>();
    for (const m of MODELS) {
      const halves = [ids.slice(0, 11), ids.slice(11)];
      const jobs = await Promise.all(halves.map(async (h) => waitJob(s, (await s.startClassification(h, m, { beats: 'reference' })).jobId, 600_000)));
      runIds.set(m, jobs.flatMap((j) => j.runIds));
    }
    const one = runIds.get(MODELS[0])!, all = MODELS.flatMap((m) => runIds.get(m)!);
    const rows: (string | number)[][] = [];
    const add = async (what: string, fn: () => Promise<unknown>, note: string): Promise<void> => {
      const t = await time(fn, 5, 1);
      rows.push([what, t.median, t.min, t.max, note]);
    };
    await add('getStudy, 1 model × 22 recordings, 2,000 draws', () => s.getStudy({ runIds: one, reference: 'annotations' }), '49,705 beats');
    await add('getStudy, 1 model × 22 recordings, no intervals', () => s.getStudy({ runIds: one, reference: 'annotations', draws: 0 }), 'scoring alone');
    await add('getStudy, 3 models × 22 recordings, 2,000 draws', () => s.getStudy({ runIds: all, reference: 'annotations' }), '3 pairs with paired intervals');
    await add('exportStudyReport, 3 models (HTML, no PDF renderer)', () => s.exportStudyReport({ runIds: all, reference: 'annotations' }), '');
    return [{ title: 'Study (getStudy on DS2; ms, 5 runs after 1 warm-up)', columns: ['call', 'median ms', 'min', 'max', 'notes'], rows }];
  } finally {
    await s.dispose();
  }
}
