import { writeFile } from 'node:fs/promises';
import { openRecording } from '../../formats/index.js';
import { writeWfdbAnnotationFile } from '../../formats/wfdb/index.js';
import { afRhythmAnnotations, atrialFibrillationEpisodes } from '../../rhythm/index.js';
import { withAtrialActivity } from '../../services/atrial.js';
import { CliError, numberFlag, positiveFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'classify',
  usage: 'ecg-review classify <record> --model <dir-or-name> [--beats atr] [--lead NAME] [--adapt-minutes M [--adapt-labels atr]] [--out file] [--format wfdb|csv|json]',
  summary: 'Classify every beat of a recording into AAMI classes (N, S, V, F) with a trained model. Beat positions come from the annotator named by --beats, else from the QRS detector.',
  flags: {
    model: { type: 'string', description: 'model directory, or a shipped model name: cnn, attention, transformer (default cnn); several, comma-separated, average their probabilities (ensemble)' },
    beats: { type: 'string', description: 'reference annotator whose beat positions to classify (e.g. atr); default: detect QRS complexes' },
    lead: { type: 'string', description: 'lead name (default MLII, else the first ECG lead)' },
    out: { type: 'string', description: 'output file (default: stdout for csv/json; <record>.cls beside nothing — required for wfdb)' },
    format: { type: 'string', description: 'wfdb (MIT annotation file, one AAMI-class symbol per beat, and (AFIB/(N rhythm annotations where AF is found from the labels and the signal\'s P waves), csv or json (with class probabilities and afEpisodes); default json, or wfdb when --out ends in an annotator extension' },
    backend: { type: 'string', description: 'tfjs backend preference: node, wasm (default) or cpu' },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
    'adapt-minutes': { type: 'string', description: "patient-specific: fine-tune the model on this patient's first M minutes of labelled beats before classifying (EC57's learning period is 5; score from minute M)" },
    'adapt-labels': { type: 'string', description: 'annotator whose labels the adaptation learns from (default: the --beats annotator, else atr)' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('classify takes exactly one <record>');
    const out = stringFlag(flags, 'out');
    const format = stringFlag(flags, 'format', out && !/\.(json|csv)$/i.test(out) ? 'wfdb' : 'json')!;
    if (!['wfdb', 'csv', 'json'].includes(format)) throw new CliError(`--format must be wfdb, csv or json, got '${format}'`);
    if (format === 'wfdb' && !out) throw new CliError('--format wfdb needs --out <annotation file>, e.g. --out 100.cls');
    const backend = stringFlag(flags, 'backend', 'wasm')!;
    if (!['node', 'wasm', 'cpu'].includes(backend)) throw new CliError(`--backend must be node, wasm or cpu, got '${backend}'`);
    const { initEngine, describeEngine } = await import('../../model/engine/backend.js');
    const { loadModel } = await import('../../model/io.js');
    const { classifyRecording, runtimeOf } = await import('../../model/classify.js');
    const { beatAnnotations } = await import('../../model/evaluate-records.js');
    const engine = await initEngine({ prefer: backend as 'wasm' });
    const models = [];
    for (const m of stringFlag(flags, 'model', 'cnn')!.split(',').filter(Boolean)) models.push(await loadModel(m));
    const adaptMinutes = positiveFlag(flags, 'adapt-minutes', 'minutes');
    if (adaptMinutes === undefined && stringFlag(flags, 'adapt-labels') !== undefined) throw new CliError('--adapt-labels needs --adapt-minutes');
    const adapt = adaptMinutes === undefined ? undefined
      : { seconds: adaptMinutes * 60, annotator: stringFlag(flags, 'adapt-labels') ?? stringFlag(flags, 'beats') ?? 'atr' };
    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    try {
      const t0 = performance.now();
      const c = await classifyRecording(src, models, { beats: stringFlag(flags, 'beats'), lead: stringFlag(flags, 'lead'), adapt });
      for (const a of c.adaptations ?? []) {
        io.err(`${c.record}: adapted to this patient on ${Object.entries(a.beats).map(([k, v]) => `${v} ${k}`).join(', ')} beats (${a.source}), ${a.options.epochs} epochs, loss ${a.losses[0].toFixed(3)} → ${a.losses[a.losses.length - 1].toFixed(3)}; score it from minute ${adaptMinutes}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const counts: Record<string, number> = Object.fromEntries(c.classes.map((k) => [k, 0]));
      for (let i = 0; i < c.predicted.length; i++) counts[c.classes[c.predicted[i]]]++;
      io.err(`${c.record}: ${c.samples.length} beats (${c.positions}) on lead ${c.lead} at ${c.fs} Hz, model ${models.map((m) => `${m.dir} (${m.meta.arch})`).join(' + ')}, backend ${runtimeOf(models, describeEngine(engine))}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')} in ${seconds.toFixed(1)} s`);
      const K = c.classes.length;
      // AF from the labels and the signal's P waves (the Holter summary's rule), written as rhythm annotations so that
      // EC57's AF comparison (evaluate, WFDB epicmp -a) can score it; bxb and rxr ignore them
      const af = atrialFibrillationEpisodes(await withAtrialActivity(src, { fs: c.fs, samples: c.samples, labels: Array.from(c.predicted, (k) => c.classes[k]), length: src.info.length, source: c.record }));
      if (af.length) io.err(`${c.record}: atrial fibrillation from the labels and P waves: ${af.length} episode(s), ${(af.reduce((a, e) => a + e.end - e.start, 0) / 60).toFixed(1)} min`);
      if (format === 'wfdb') {
        const anns = [...beatAnnotations(c), ...afRhythmAnnotations(af, c.fs)].sort((a, b) => a.sample - b.sample || (a.symbol === '+' ? -1 : 0) - (b.symbol === '+' ? -1 : 0));
        await writeWfdbAnnotationFile(out!, anns);
        return;
      }
      let text: string;
      if (format === 'csv') {
        const rows = [`sample,time,class,${c.classes.map((k) => `p_${k}`).join(',')}`];
        for (let i = 0; i < c.samples.length; i++) {
          const p = Array.from(c.probabilities.subarray(i * K, (i + 1) * K), (v) => v.toFixed(5));
          rows.push(`${c.samples[i]},${(c.samples[i] / c.fs).toFixed(4)},${c.classes[c.predicted[i]]},${p.join(',')}`);
        }
        text = `${rows.join('\n')}\n`;
      } else {
        const beats = Array.from(c.samples, (s, i) => JSON.stringify({
          sample: s, time: Math.round((s / c.fs) * 1e4) / 1e4, class: c.classes[c.predicted[i]],
          probabilities: Object.fromEntries(c.classes.map((k, j) => [k, Math.round(c.probabilities[i * K + j] * 1e5) / 1e5])),
        }));
        text = `{"record": ${JSON.stringify(c.record)}, "lead": ${JSON.stringify(c.lead)}, "fs": ${c.fs}, "positions": ${JSON.stringify(c.positions)}, "model": ${JSON.stringify(models.map((m) => ({ dir: m.dir, arch: m.meta.arch, window: m.meta.window })))}, "backend": ${JSON.stringify(runtimeOf(models, describeEngine(engine)))}, "counts": ${JSON.stringify(counts)}, "afEpisodes": ${JSON.stringify(af.map((e) => ({ start: Math.round(e.start * 1e4) / 1e4, end: Math.round(e.end * 1e4) / 1e4 })))},${c.adaptations ? ` "adaptations": ${JSON.stringify(c.adaptations)},` : ''}\n"beats": [${beats.join(',\n')}]}\n`;
      }
      if (out) await writeFile(out, text);
      else await io.out(text);
    } finally {
      await src.close();
      for (const m of models) m.model.dispose();
    }
  },
};
