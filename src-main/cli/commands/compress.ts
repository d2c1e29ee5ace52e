import { DS1, DS2, MITDB_RECORDS } from '../../domain/mitdb.js';
import { adaptationOf, compressModel, type CompressOperation } from '../../model/compress/compress.js';
import { readCard } from '../../model/compress/card.js';
import { isStudentArchitecture, STUDENT_ARCHITECTURES } from '../../model/compress/distill.js';
import { CompressError } from '../../model/compress/errors.js';
import { defaultMitdbDir } from '../../model/compress/evaluate.js';
import { describeEngine, initEngine } from '../../model/engine/backend.js';
import { CliError, intFlag, numberFlag, positiveFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

/** `ds1`, `ds2`, `none`, or comma-separated MIT-BIH record names. */
export function recordList(value: string, flag: string): string[] {
  const v = value.trim().toLowerCase();
  if (v === 'ds1') return [...DS1];
  if (v === 'ds2') return [...DS2];
  if (v === 'none' || v === '') return [];
  const names = value.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(MITDB_RECORDS as readonly string[]).includes(n));
  if (bad.length) throw new CliError(`--${flag}: not MIT-BIH records: ${bad.join(', ')} (use ds1, ds2, none or names like 100,101)`);
  return names;
}

/** The command as it was given (from the parsed flags, so it is exactly reproducible). */
export function commandLine(name: string, flags: Record<string, unknown>, positionals: string[] = []): string {
  const parts = ['ecg-review', name, ...positionals];
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || v === false) continue;
    if (v === true) parts.push(`--${k}`);
    else for (const x of Array.isArray(v) ? v : [v]) parts.push(`--${k}`, String(x));
  }
  return parts.join(' ');
}

function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}

export const command: Command = {
  name: 'compress',
  usage: 'ecg-review compress --model <dir> (--prune <ratio> [--structured] | --distill --student <arch> | --quantize uint8|float16 | --integer | --expand | --adapt <record> [--adapt-minutes 5] [--adapt-labels atr] [--beats atr]) --out <dir>',
  summary: 'Make a lighter model: prune (gradual magnitude pruning with fine-tuning on DS1, or --structured filter pruning), distil into a tiny student (trained on DS1 from the teacher\'s soft targets), or quantize weights (uint8 affine / float16, tfjs weight-manifest format), or make an integer-only form (int8 activations calibrated on DS1, int32 accumulators; integer.json plus C99 source, classified by the integer runtime). Chain steps by compressing the output again. Writes the model, and a model card with sizes, the command and DS2 results.',
  flags: {
    model: { type: 'string', description: 'input model directory (model.json + weights)' },
    out: { type: 'string', description: 'output model directory' },
    prune: { type: 'string', description: 'pruning ratio in [0, 1): fraction of weights (or filters with --structured) removed' },
    structured: { type: 'boolean', description: 'with --prune: remove whole filters/units and rebuild smaller layers' },
    distill: { type: 'boolean', description: 'knowledge distillation into --student' },
    student: { type: 'string', description: `student architecture: ${STUDENT_ARCHITECTURES.join(', ')}` },
    alpha: { type: 'string', description: 'distillation: weight of the hard-label loss (default 0.5)' },
    temperature: { type: 'string', description: 'distillation temperature T (default 4)' },
    quantize: { type: 'string', description: 'uint8 (affine per tensor) or float16' },
    expand: { type: 'boolean', description: 'write the dense form of a sparse (pruned) model, for generic tfjs runtimes' },
    integer: { type: 'boolean', description: 'integer-only form: int8 activations and weights, int32 accumulators; writes integer.json and ecg_model.c/.h beside the model' },
    adapt: { type: 'string', description: "patient-specific: fine-tune on this recording's first minutes of labelled beats (e.g. before pushing the model to that patient's device); evaluated on the rest of the recording" },
    'adapt-minutes': { type: 'string', description: 'with --adapt: learning period in minutes (default 5, EC57\'s)' },
    'adapt-labels': { type: 'string', description: 'with --adapt: annotator whose labels are learnt (default atr)' },
    beats: { type: 'string', description: 'with --adapt: annotator whose beat positions to learn at (default: the positions the model uses in practice — the live detector for causal models, else the QRS detector)' },
    'keep-dense': { type: 'boolean', description: 'pruned outputs: also write dense weights.bin (generic tfjs can load the directory)' },
    epochs: { type: 'string', description: 'training epochs (distil default 20, prune fine-tuning default 6)' },
    'batch-size': { type: 'string', description: 'mini-batch size (default 256)' },
    lr: { type: 'string', description: 'learning rate (Adam)' },
    train: { type: 'string', description: 'training records: ds1 (default) or names like 101,106' },
    eval: { type: 'string', description: 'evaluation records after compression: ds2 (default), none, or names' },
    data: { type: 'string', description: 'MIT-BIH directory (default $ECG_DATA_DIR/mitdb or ../shared/data/mitdb)' },
    seed: { type: 'string', description: 'random seed (default 1)' },
    'class-weight-power': { type: 'string', description: 'loss weight per class ∝ (1/frequency)^power (default 0.5)' },
    backend: { type: 'string', description: 'tfjs backend preference: node, wasm (default) or cpu' },
    json: { type: 'boolean', description: 'print the model card as JSON' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length) throw new CliError(`compress takes no positional arguments (got ${positionals.join(' ')})`);
    const model = stringFlag(flags, 'model');
    const out = stringFlag(flags, 'out');
    if (!model) throw new CliError('compress needs --model <dir>');
    if (!out) throw new CliError('compress needs --out <dir>');
    const ops: CompressOperation[] = [];
    if (flags.prune !== undefined) ops.push({ kind: 'prune', ratio: numberFlag(flags, 'prune')!, structured: !!flags.structured });
    if (flags.distill) {
      const s = stringFlag(flags, 'student');
      if (!s) throw new CliError(`--distill needs --student <arch> (${STUDENT_ARCHITECTURES.join(', ')})`);
      if (!isStudentArchitecture(s)) throw new CompressError(`unknown student architecture '${s}' (use ${STUDENT_ARCHITECTURES.join(', ')})`);
      ops.push({ kind: 'distill', student: s, alpha: numberFlag(flags, 'alpha'), temperature: numberFlag(flags, 'temperature') });
    }
    const q = stringFlag(flags, 'quantize');
    if (q !== undefined) {
      if (q !== 'uint8' && q !== 'float16') throw new CompressError(`unknown quantization '${q}' (use uint8 or float16)`);
      ops.push({ kind: 'quantize', dtype: q });
    }
    if (flags.expand) ops.push({ kind: 'expand' });
    if (flags.integer) ops.push({ kind: 'integer' });
    const adaptRecord = stringFlag(flags, 'adapt');
    if (adaptRecord !== undefined) {
      const minutes = positiveFlag(flags, 'adapt-minutes', 'minutes', 5)!;
      ops.push({ kind: 'adapt', record: adaptRecord, seconds: minutes * 60, annotator: stringFlag(flags, 'adapt-labels', 'atr')!, beats: stringFlag(flags, 'beats') });
    } else if (['adapt-minutes', 'adapt-labels', 'beats'].some((f) => flags[f] !== undefined)) {
      throw new CliError('--adapt-minutes, --adapt-labels and --beats go with --adapt <record>');
    }
    if (ops.length !== 1) throw new CliError('give exactly one of --prune, --distill, --quantize, --integer, --expand, --adapt (chain steps by compressing the output again)');
    if (flags.structured && ops[0].kind !== 'prune') throw new CliError('--structured goes with --prune');
    const op = ops[0];
    const alpha = numberFlag(flags, 'alpha');
    if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) throw new CompressError(`--alpha must be in [0, 1], got ${alpha}`);
    const info = await initEngine({ prefer: (stringFlag(flags, 'backend') as 'wasm' | undefined) ?? 'wasm' });
    io.progress(`engine: ${describeEngine(info)}`);
    // An adapted model (this step or an earlier one) is evaluated on its own patient after the learning period.
    const adapted = adaptationOf(op, await readCard(model));
    const evalRecords = adapted && flags.eval === undefined ? [adapted.record] : recordList(stringFlag(flags, 'eval', 'ds2')!, 'eval');
    const { card, evaluation } = await compressModel({
      model, out, op,
      dataDir: stringFlag(flags, 'data') ?? defaultMitdbDir(),
      trainRecords: recordList(stringFlag(flags, 'train', 'ds1')!, 'train'),
      evalRecords,
      epochs: intFlag(flags, 'epochs'),
      batchSize: intFlag(flags, 'batch-size'),
      learningRate: numberFlag(flags, 'lr'),
      seed: intFlag(flags, 'seed'),
      classWeightPower: numberFlag(flags, 'class-weight-power'),
      keepDense: !!flags['keep-dense'],
      command: commandLine('compress', flags),
      warn: (m) => io.err(`warning: ${m}`),
      progress: (m) => io.progress(m),
    });
    if (flags.json) { await io.out(`${JSON.stringify(card, null, 2)}\n`); return; }
    const lines = [
      `Wrote ${out}: ${card.description}`,
      `  parameters ${card.parameters} (non-zero ${card.nonZeroParameters}), ${card.sizeOnDiskBytes} bytes on disk, ${card.gzipBytesOnDisk} gzipped`,
    ];
    if (evaluation) {
      const pc = evaluation.perClass;
      lines.push(`  ${evaluation.records.length} evaluation records, ${evaluation.beats} beats (EC57 ${adapted ? `from ${adapted.seconds} s, after the learning period` : "whole records, AAMI classes, as the classifiers' DS2 figures"}): accuracy ${fmt(evaluation.accuracy, 2)} %, macro-F1 N,S,V ${fmt(evaluation.macroF1NSV, 2)} % (N,S,V,F ${fmt(evaluation.macroF1, 2)} %)`);
      for (const c of ['N', 'S', 'V', 'F'] as const) lines.push(`    ${c}: Se ${fmt(pc[c].se)}  +P ${fmt(pc[c].ppv)}  (${pc[c].support} beats)`);
    }
    await io.out(`${lines.join('\n')}\n`);
  },
};
