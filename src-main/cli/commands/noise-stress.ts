import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import { beatsToAnnotations, evaluateRecords, formatFixed } from '../../evaluation/ec57/index.js';
import { makeStressRecord, type StressRecord } from '../../evaluation/noise-stress-records.js';
import { openRecording } from '../../formats/index.js';
import { writeWfdbAnnotationFile } from '../../formats/wfdb/index.js';
import { detectQrsInRecording } from '../../signal/detect-recording.js';
import { NSTDB_SNRS } from '../../signal/noise-stress.js';
import { CliError, stringFlag } from '../args.js';
import type { Command } from '../command.js';

interface SnrRow {
  snr: number | null;
  records: string[];
  qrsSe: number | null; qrsPpv: number | null;
  vebSe: number | null; vebPpv: number | null;
  svebSe: number | null; svebPpv: number | null;
}

const pct = (x: number | null): string => (x === null ? '-' : formatFixed(x, 2));

function parseSnrs(v: string | undefined): number[] {
  if (v === undefined) return [...NSTDB_SNRS];
  const snrs = v.split(',').map((s) => Number(s.trim()));
  if (snrs.length === 0 || snrs.some((s) => !Number.isInteger(s) || s < -30 || s > 60)) throw new CliError(`--snr must be comma-separated whole dB between -30 and 60, e.g. 24,18,12,6,0,-6; got '${v}'`);
  return snrs;
}

export const command: Command = {
  name: 'noise-stress',
  usage: 'ecg-review noise-stress <record...> --noise <noise record> --out <dir> [--snr 24,18,12,6,0,-6] [--ref atr] [--detect | --model <dir-or-name>] [--json]',
  summary: [
    'The EC57 noise stress test, as the MIT-BIH Noise Stress Test Database was made with WFDB nst: each record plus',
    'the noise record at each SNR, clean for 5 minutes and then noisy in 2-minute segments alternating with clean',
    'ones, written to <dir> as WFDB records named as NSTDB names its own (118e24 … 118e06, 118e00, 118e_6) with the',
    'reference annotations copied. SNR = (QRS peak-to-peak)² / 8 over the noise power, amplitudes measured as WFDB',
    'sigamp measures them.',
    'With --detect the QRS detector, or with --model the detector and a classifier, runs on every clean and noisy',
    'record and EC57 evaluate (from minute 5, bxb gross) reports QRS, VEB and SVEB Se and +P per SNR.',
    'EC57: ecg-review noise-stress data/mitdb/118 data/mitdb/119 --noise data/nstdb-noise/em --out nst --detect',
  ].join('\n'),
  flags: {
    noise: { type: 'string', description: 'noise record, e.g. the NSTDB em (electrode motion), ma (muscle) or bw (baseline wander)' },
    out: { type: 'string', description: 'directory for the generated records and the annotations of the test' },
    snr: { type: 'string', description: 'SNRs in dB (default 24,18,12,6,0,-6, the NSTDB set)' },
    ref: { type: 'string', description: 'reference annotator (default atr)' },
    detect: { type: 'boolean', description: 'run the QRS detector on each record and report QRS Se/+P per SNR' },
    model: { type: 'string', description: 'run the detector and this classifier (directory or shipped name) and report QRS, VEB and SVEB Se/+P per SNR' },
    json: { type: 'boolean', description: 'JSON output: the records made (gains, amplitudes), and the gross figures per SNR with the records behind them' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length === 0) throw new CliError('noise-stress needs at least one <record>');
    const noise = stringFlag(flags, 'noise');
    if (!noise) throw new CliError('noise-stress needs --noise <noise record>, e.g. --noise data/nstdb-noise/em');
    const out = stringFlag(flags, 'out');
    if (!out) throw new CliError('noise-stress needs --out <dir> for the records it writes');
    const snrs = parseSnrs(stringFlag(flags, 'snr'));
    const ref = stringFlag(flags, 'ref', 'atr')!;
    const modelName = stringFlag(flags, 'model');
    if (modelName && flags.detect) throw new CliError('--detect and --model are exclusive: --model runs the detector too');
    await mkdir(out, { recursive: true });

    const made: StressRecord[] = [];
    for (const r of positionals) {
      for (const snr of snrs) {
        io.progress(`making ${basename(r)} + ${basename(noise)} at ${snr} dB`);
        made.push(await makeStressRecord(r, noise, snr, out, { reference: ref }));
      }
    }
    io.err(`${made.length} records written to ${out}: ${made.map((m) => m.name).join(' ')}`);

    const rows: SnrRow[] = [];
    let annotator: string | undefined;
    if (flags.detect || modelName) {
      annotator = modelName ? 'cls' : 'qrs';
      const label = await labeller(modelName);
      try {
        // The clean records too, so the table starts from the detector's figures without noise.
        const all = [...positionals, ...made.map((m) => m.path)];
        for (const p of all) {
          const name = basename(p);
          io.progress(`${modelName ? 'classifying' : 'detecting'} ${name}`);
          await writeWfdbAnnotationFile(join(out, `${name}.${annotator}`), await label(p));
        }
      } finally {
        label.dispose();
      }
      const groups: [number | null, string[]][] = [[null, [...positionals]], ...snrs.map((s): [number, string[]] => [s, made.filter((m) => m.snrDb === s).map((m) => m.path)])];
      for (const [snr, paths] of groups) {
        const rep = await evaluateRecords(paths, { reference: ref, test: join(out, `{record}.${annotator}`) });
        const g = rep.summary.gross;
        rows.push({ snr, records: rep.records.map((x) => x.record), qrsSe: g.qrsSensitivity, qrsPpv: g.qrsPositivePredictivity, vebSe: g.vebSensitivity, vebPpv: g.vebPositivePredictivity, svebSe: g.svebSensitivity, svebPpv: g.svebPositivePredictivity });
      }
    }

    if (flags.json) {
      await io.out(`${JSON.stringify({ noise, snrs, reference: ref, annotator: annotator ?? null, model: modelName ?? null, records: made, figures: rows }, null, 1)}\n`);
      return 0;
    }
    const lines = [`Noise stress test (EC57, as WFDB nst): ${positionals.map((p) => basename(p)).join(', ')} + ${basename(noise)}; records in ${out}`];
    for (const m of made) lines.push(`  ${m.name}: ${m.signals.map((s) => `${s.name} gain ${s.gain.toFixed(4)}`).join(', ')}`);
    if (rows.length) {
      lines.push('', `${modelName ? `Detector + ${modelName}` : 'QRS detector'}, EC57 evaluate from minute 5, gross over records (the first row: the clean records):`,
        `SNR dB   QRS Se   QRS +P${modelName ? '   VEB Se   VEB +P  SVEB Se  SVEB +P' : ''}`);
      for (const r of rows) {
        const cells = [r.qrsSe, r.qrsPpv, ...(modelName ? [r.vebSe, r.vebPpv, r.svebSe, r.svebPpv] : [])].map((v) => pct(v).padStart(8));
        lines.push(`${(r.snr === null ? 'clean' : String(r.snr)).padEnd(6)} ${cells.join(' ')}`);
      }
    }
    await io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** Beats of a record as annotations: the detector's (all N), or the detector's labelled by a classifier. */
async function labeller(modelName: string | undefined): Promise<((path: string) => Promise<Annotation[]>) & { dispose: () => void }> {
  if (!modelName) {
    const f = async (path: string): Promise<Annotation[]> => {
      const src = await openRecording(path);
      try {
        return beatsToAnnotations(await detectQrsInRecording(src));
      } finally {
        await src.close();
      }
    };
    return Object.assign(f, { dispose: () => {} });
  }
  const { initEngine } = await import('../../model/engine/backend.js');
  const { loadModel } = await import('../../model/io.js');
  const { classifyRecording } = await import('../../model/classify.js');
  const { beatAnnotations } = await import('../../model/evaluate-records.js');
  await initEngine({ prefer: 'wasm' });
  const model = await loadModel(modelName);
  const f = async (path: string): Promise<Annotation[]> => {
    const src = await openRecording(path);
    try {
      return beatAnnotations(await classifyRecording(src, [model]));
    } finally {
      await src.close();
    }
  };
  return Object.assign(f, { dispose: () => model.model.dispose() });
}
