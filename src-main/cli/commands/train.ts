import { DE_CHAZAL_2004_DS2, DS1 } from '../../domain/mitdb.js';
import { isArchitecture, type Architecture } from '../../model/architectures/index.js';
import { loadDs1 } from '../../model/train/experiment.js';
import { CAUSAL_WINDOW } from '../../model/dataset/causal.js';
import { DEFAULT_WINDOW, type WindowSpec } from '../../model/dataset/windows.js';
import { BEAT_SOURCES, type BeatSource } from '../../model/dataset/mitdb.js';
import { MODEL_CLASSES } from '../../model/dataset/beats.js';
import type { AamiClass } from '../../domain/aami.js';
import { CliError, intFlag, numberFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { CliIo, Command } from '../command.js';

const DEFAULT_DATA_DIR = process.env.ECG_DATA_DIR ? `${process.env.ECG_DATA_DIR}/mitdb` : new URL('../../../../shared/data/mitdb', import.meta.url).pathname;

function bar(frac: number, width = 24): string {
  const n = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.round(seconds)}s`;
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(1));

/** `--min-ppv N=99.2,V=90` → { N: 99.2, V: 90 } (percent, modelled classes only). */
function parseFloors(flags: ParsedArgs['flags'], name: 'min-se' | 'min-ppv'): Partial<Record<AamiClass, number>> | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const out: Partial<Record<AamiClass, number>> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Z])\s*=\s*([0-9.]+)\s*$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !MODEL_CLASSES.includes(m[1] as AamiClass) || !(v > 0 && v <= 100)) throw new CliError(`--${name} takes CLASS=percent pairs with a class among ${MODEL_CLASSES.join(', ')} and a percent in (0, 100], e.g. N=99.2; got '${part}'`);
    out[m[1] as AamiClass] = v;
  }
  return out;
}

export const command: Command = {
  name: 'train',
  usage: 'ecg-review train --arch cnn|attention|transformer --eval ds1ds2|kfold|stratified|patient [--folds K] [--epochs E] [--seed S] [--out <dir>] [--data-dir <mitdb dir>] [--json]',
  summary: 'Train a beat classifier on MIT-BIH DS1. --eval ds1ds2 saves the model to --out with a model card and scores it on DS2 (EC57); kfold/stratified/patient cross-validate on DS1.',
  flags: {
    arch: { type: 'string', description: 'cnn (default), attention or transformer; with ds1ds2, --fixed-epochs and --decision-folds also a comma-separated list, shipped as one ensemble model' },
    eval: { type: 'string', description: 'ds1ds2 (default), kfold, stratified or patient' },
    folds: { type: 'string', description: 'folds for cross-validation (default 5)' },
    epochs: { type: 'string', description: 'maximum epochs (default 12; early stopping on patient-wise validation for ds1ds2)' },
    seed: { type: 'string', description: 'random seed (default 1)' },
    out: { type: 'string', description: 'model directory to write (ds1ds2)' },
    'data-dir': { type: 'string', description: 'MIT-BIH Arrhythmia Database directory (default ../shared/data/mitdb or $ECG_DATA_DIR/mitdb)' },
    lead: { type: 'string', description: 'lead name (default MLII, else the first ECG lead)' },
    cv: { type: 'boolean', description: 'ds1ds2: also run stratified and patient-wise K-fold on DS1 for the model card' },
    'cv-epochs': { type: 'string', description: 'epochs per cross-validation fold (default 4)' },
    consensus: { type: 'boolean', description: 'ds1ds2: also choose a morphology consensus (each beat\'s V/F probability blended with its QRS look-alikes in the same recording) with the decision offsets on the out-of-fold predictions; needs --decision-folds' },
    'min-ppv': { type: 'string', description: 'ds1ds2: operating-point floors for the decision offsets, e.g. N=99.2 (comma-separated CLASS=percent): the offsets must keep these +P on the DS1 out-of-fold predictions; needs --decision-folds' },
    'min-se': { type: 'string', description: 'ds1ds2: like --min-ppv, for sensitivities, e.g. S=80,V=85' },
    'fixed-epochs': { type: 'boolean', description: 'ds1ds2: train exactly --epochs epochs on all of DS1 and keep the last weights (no validation split, no early stopping); needs --decision-folds' },
    seeds: { type: 'string', description: 'ds1ds2: comma-separated seeds of an ensemble shipped as one model (with --fixed-epochs and --decision-folds)' },
    'decision-folds': { type: 'string', description: 'ds1ds2: choose the decision offsets on out-of-fold predictions of patient-wise K-fold over DS1 (default 0 = on the validation split)' },
    'epoch-size': { type: 'string', description: 'beats drawn per epoch with class-balanced sampling (default 12000; 0 = shuffle all beats, class-weighted loss)' },
    'fusion-synthesis': { type: 'string', description: 'share 0..1 of the F beats drawn for training replaced by synthetic fusion beats mixed from a DS1 patient\'s own V and N beats (default 0)' },
    'rr-scale': { type: 'string', description: 'heart-rate augmentation: each training beat\'s RR intervals scaled by e^u, u uniform in ±this (e.g. 0.5; default 0: a ±3 % jitter)' },
    'class-power': { type: 'string', description: 'class re-weighting strength 0..1 (default 0.75)' },
    'learning-rate': { type: 'string', description: 'Adam learning rate (default 0.002)' },
    patience: { type: 'string', description: 'epochs without validation improvement before stopping (default 4)' },
    backend: { type: 'string', description: 'tfjs backend preference: node, wasm (default) or cpu' },
    causal: { type: 'boolean', description: 'causal inputs for live monitoring: 250 ms before the R peak to 28 ms after it, template and RR from earlier beats only (labels within tens of ms of the R peak; less accurate)' },
    'train-beats': { type: 'string', description: 'with --causal: annotator (default: the atr beat positions) or live-detector (where the live detector finds the beats, as in use; each labelled by the atr beat within 150 ms)' },
    'beat-channel': { type: 'boolean', description: 'also give the network the beat itself (normalised per recording by its template\'s spread) as a second channel beside the beat minus the template' },
    leads: { type: 'string', description: '1 (default) or 2: also read the recording\'s second ECG lead (MIT-BIH: V1, V2, V4 or V5) as a second input channel; the model then needs two-lead recordings' },
    json: { type: 'boolean', description: 'results as JSON on stdout' },
  },
  async run({ positionals, flags }, io: CliIo) {
    if (positionals.length) throw new CliError(`train takes no positional arguments (got '${positionals[0]}')`);
    const archText = stringFlag(flags, 'arch', 'cnn')!;
    const archs = archText.split(',').map((a) => a.trim());
    for (const a of archs) if (!isArchitecture(a)) throw new CliError(`--arch must be cnn, attention or transformer (or a comma-separated list of them for an ensemble), got '${a}'`);
    if (new Set(archs).size !== archs.length) throw new CliError(`--arch lists an architecture twice: '${archText}'`);
    const arch = archs[0] as Architecture;
    const evalMode = stringFlag(flags, 'eval', 'ds1ds2')!;
    if (!['ds1ds2', 'kfold', 'stratified', 'patient'].includes(evalMode)) throw new CliError(`--eval must be ds1ds2, kfold, stratified or patient, got '${evalMode}'`);
    const folds = intFlag(flags, 'folds', 5)!;
    if (folds < 2) throw new CliError('--folds must be at least 2');
    const epochs = intFlag(flags, 'epochs', 12)!;
    if (epochs < 1) throw new CliError('--epochs must be at least 1');
    const seed = intFlag(flags, 'seed', 1)!;
    const epochSize = intFlag(flags, 'epoch-size', 12000)!;
    const config = {
      arch, seed, epochs,
      balancedSampling: epochSize > 0, epochSize,
      classWeightPower: numberFlag(flags, 'class-power', 0.75)!,
      learningRate: numberFlag(flags, 'learning-rate', 2e-3)!,
      patience: intFlag(flags, 'patience', 4)!,
      fusionSynthesis: numberFlag(flags, 'fusion-synthesis', 0)!,
      rrScale: numberFlag(flags, 'rr-scale', 0)!,
    };
    if (!(config.rrScale! >= 0 && config.rrScale! <= 1)) throw new CliError(`--rr-scale must be between 0 and 1, got '${flags['rr-scale']}'`);
    if (!(config.fusionSynthesis >= 0 && config.fusionSynthesis <= 1)) throw new CliError(`--fusion-synthesis must be between 0 and 1, got '${flags['fusion-synthesis']}'`);
    if (config.fusionSynthesis > 0 && epochSize === 0) throw new CliError('--fusion-synthesis replaces class-balanced F draws: it needs --epoch-size > 0');
    const dataDir = stringFlag(flags, 'data-dir', DEFAULT_DATA_DIR)!;
    const lead = stringFlag(flags, 'lead');
    const leads = intFlag(flags, 'leads', 1)!;
    if (leads !== 1 && leads !== 2) throw new CliError(`--leads must be 1 or 2, got '${flags.leads}'`);
    if (leads === 2 && flags.causal) throw new CliError('--leads 2 has no causal form yet: train a causal model on one lead');
    if (flags.consensus === true && evalMode !== 'ds1ds2') throw new CliError(`--consensus belongs to a shipped model (--eval ds1ds2), not to --eval ${evalMode}`);
    if (flags.consensus === true && !(Number(flags['decision-folds']) >= 2)) throw new CliError('--consensus is chosen on out-of-fold predictions: add --decision-folds K');
    const minSe = parseFloors(flags, 'min-se');
    const minPpv = parseFloors(flags, 'min-ppv');
    const floors = minSe || minPpv ? { ...(minSe ? { se: minSe } : {}), ...(minPpv ? { ppv: minPpv } : {}) } : undefined;
    if (floors && evalMode !== 'ds1ds2') throw new CliError(`--min-se / --min-ppv set a shipped model's operating point (--eval ds1ds2), not --eval ${evalMode}'s`);
    if (floors && !(Number(flags['decision-folds']) >= 2)) throw new CliError('--min-se / --min-ppv are held on out-of-fold predictions: add --decision-folds K');
    const trainBeats = stringFlag(flags, 'train-beats', 'annotator')!;
    if (!BEAT_SOURCES.includes(trainBeats as BeatSource)) throw new CliError(`--train-beats must be ${BEAT_SOURCES.join(' or ')}, got '${trainBeats}'`);
    if (trainBeats === 'live-detector' && !flags.causal) throw new CliError('--train-beats live-detector is for causal models (add --causal): the offline models are trained at the annotations');
    const positions = trainBeats === 'live-detector' ? 'live-detector' as const : undefined;
    if (flags['beat-channel'] === true && leads === 2) throw new CliError('--beat-channel and --leads 2 cannot be combined: a window has either the second lead or the beat channel');
    const base: WindowSpec | undefined = flags.causal ? CAUSAL_WINDOW : leads === 2 ? { ...DEFAULT_WINDOW, leads: 2 } : undefined;
    const window: WindowSpec | undefined = flags['beat-channel'] === true ? { ...(base ?? DEFAULT_WINDOW), beat: true } : base;
    const { initEngine, describeEngine } = await import('../../model/engine/backend.js');
    const backend = stringFlag(flags, 'backend', 'wasm')!;
    if (!['node', 'wasm', 'cpu'].includes(backend)) throw new CliError(`--backend must be node, wasm or cpu, got '${backend}'`);
    const engine = await initEngine({ prefer: backend as 'wasm' });
    io.err(`backend: ${describeEngine(engine)}`);
    const t0 = performance.now();
    const progress = (p: { stage: string; epoch?: number; epochs?: number; batch?: number; batches?: number; loss?: number; log?: { val?: { accuracy: number; macroF1: number; se: Record<string, number>; ppv: Record<string, number> } } }): void => {
      if (p.epoch === undefined || !p.epochs || !p.batches) { io.progress(p.stage); return; }
      const done = (p.epoch - 1 + (p.batch ?? 0) / p.batches) / p.epochs;
      const elapsed = (performance.now() - t0) / 1000;
      const v = p.log?.val;
      const valText = v ? ` val acc ${pct(v.accuracy)} S Se ${pct(v.se.S)} +P ${pct(v.ppv.S)} V Se ${pct(v.se.V)} +P ${pct(v.ppv.V)}` : '';
      const line = `${p.stage} epoch ${p.epoch}/${p.epochs} ${bar(done)} loss ${(p.loss ?? NaN).toFixed(4)}${valText} ETA ${eta((elapsed / Math.max(done, 1e-6)) * (1 - done))}`;
      if (p.log) io.err(line); else io.progress(line);
    };
    if (evalMode === 'ds1ds2') {
      const out = stringFlag(flags, 'out');
      if (!out) throw new CliError('--eval ds1ds2 needs --out <model dir>');
      const { runDs1Ds2 } = await import('../../model/train/experiment.js');
      const cvEpochs = intFlag(flags, 'cv-epochs', 4)!;
      const decisionFolds = intFlag(flags, 'decision-folds', 0)!;
      if (decisionFolds === 1 || decisionFolds < 0) throw new CliError('--decision-folds must be 0 or at least 2');
      const fixedEpochs = flags['fixed-epochs'] === true;
      const seedsText = stringFlag(flags, 'seeds');
      const seeds = seedsText ? seedsText.split(',').map((x) => Number(x.trim())) : undefined;
      if (archs.length > 1 && seeds) throw new CliError('--arch with several architectures and --seeds cannot be combined: an ensemble is of one or the other');
      if (archs.length > 1 && !(fixedEpochs && decisionFolds)) throw new CliError('an ensemble of architectures needs --fixed-epochs and --decision-folds K');
      if (seeds && (seeds.length < 2 || seeds.some((x) => !Number.isInteger(x)))) throw new CliError(`--seeds must list two or more integer seeds, got '${seedsText}'`);
      if (seeds && !(fixedEpochs && decisionFolds)) throw new CliError('--seeds needs --fixed-epochs and --decision-folds K');
      if (seeds) config.seed = seeds[0];
      if (fixedEpochs && !decisionFolds) throw new CliError('--fixed-epochs leaves no validation split for the decision offsets: add --decision-folds K');
      const consensus = flags.consensus === true;
      const command = `ecg-review train --arch ${archs.join(',')} --eval ds1ds2 --epochs ${epochs} ${seeds ? `--seeds ${seeds.join(',')}` : `--seed ${seed}`} --epoch-size ${epochSize} --class-power ${config.classWeightPower} --learning-rate ${config.learningRate} --patience ${config.patience}${config.fusionSynthesis ? ` --fusion-synthesis ${config.fusionSynthesis}` : ''}${config.rrScale ? ` --rr-scale ${config.rrScale}` : ''}${fixedEpochs ? ' --fixed-epochs' : ''}${decisionFolds ? ` --decision-folds ${decisionFolds}` : ''}${consensus ? ' --consensus' : ''}${minSe ? ` --min-se ${flags['min-se']}` : ''}${minPpv ? ` --min-ppv ${flags['min-ppv']}` : ''}${flags.cv ? ` --cv --folds ${folds} --cv-epochs ${cvEpochs}` : ''}${lead ? ` --lead ${lead}` : ''}${leads === 2 ? ' --leads 2' : ''}${flags['beat-channel'] === true ? ' --beat-channel' : ''}${flags.causal ? ' --causal' : ''}${positions ? ' --train-beats live-detector' : ''} --out ${out}`;
      const r = await runDs1Ds2({ dataDir, out, config, lead, window, positions, cv: flags.cv ? { folds, epochs: cvEpochs } : undefined, decisionFolds, fixedEpochs, consensus, floors, seeds, archs: archs.length > 1 ? (archs as Architecture[]) : undefined, command, onProgress: progress });
      if (flags.json) {
        await io.out(`${JSON.stringify({ backend: describeEngine(engine), model: out, card: r.card }, null, 1)}\n`);
        return;
      }
      const d = r.ds2;
      const lines = [`saved ${out} (${r.card.parameters} parameters, ${r.card.sizeOnDiskBytes} bytes); backend ${describeEngine(engine)}`, 'DS2 (EC57, whole records, AAMI classes):'];
      for (const c of ['N', 'S', 'V', 'F'] as const) {
        const ref = c === 'F' ? '' : `   (de Chazal 2004: Se ${DE_CHAZAL_2004_DS2[c].se} +P ${DE_CHAZAL_2004_DS2[c].ppv})`;
        lines.push(`  ${c}  Se ${pct(d.perClass[c].se).padStart(5)}  +P ${pct(d.perClass[c].ppv).padStart(5)}${ref}`);
      }
      lines.push(`  accuracy ${pct(d.accuracy)}  macro-F1 ${pct(d.macroF1)}  beats de Chazal: ${r.card.beatsDeChazal ? 'yes' : 'no'}`);
      const cv = r.card.crossValidation;
      if (cv) {
        for (const s of [cv.stratified, cv.patient]) {
          if (!s) continue;
          const a = s.aggregate;
          lines.push(`DS1 ${s.kind} ${s.folds}-fold (${s.epochs} epochs): accuracy ${pct(a.accuracy.mean)} ± ${pct(a.accuracy.sd)}, macro-F1 ${pct(a.macroF1.mean)} ± ${pct(a.macroF1.sd)}, S Se ${pct(a['S.se'].mean)} ± ${pct(a['S.se'].sd)}, V Se ${pct(a['V.se'].mean)} ± ${pct(a['V.se'].sd)}`);
        }
      }
      lines.push(`model card: ${out}/model-card.md`);
      await io.out(`${lines.join('\n')}\n`);
      return;
    }
    const { crossValidate } = await import('../../model/train/cross-validation.js');
    io.progress('loading DS1');
    const ds1 = await loadDs1(dataDir, window, lead, positions);
    const cv = await crossValidate(evalMode as 'kfold', ds1, folds, config, (fold, p) => progress({ stage: `${evalMode} fold ${fold}/${folds}`, ...p }));
    if (flags.json) {
      await io.out(`${JSON.stringify({ backend: describeEngine(engine), data: `MIT-BIH DS1 (${DS1.length} records)`, config, crossValidation: cv }, null, 1)}\n`);
      return;
    }
    const a = cv.aggregate;
    const lines = [`${evalMode} ${folds}-fold on DS1, ${epochs} epochs per fold, backend ${describeEngine(engine)} (mean ± sd over folds):`];
    lines.push(`  accuracy ${pct(a.accuracy.mean)} ± ${pct(a.accuracy.sd)}   macro-F1 ${pct(a.macroF1.mean)} ± ${pct(a.macroF1.sd)}`);
    for (const c of ['N', 'S', 'V', 'F']) lines.push(`  ${c}  Se ${pct(a[`${c}.se`].mean)} ± ${pct(a[`${c}.se`].sd)}  Sp ${pct(a[`${c}.sp`].mean)}  +P ${pct(a[`${c}.ppv`].mean)} ± ${pct(a[`${c}.ppv`].sd)}  F1 ${pct(a[`${c}.f1`].mean)}  AUC ${a[`${c}.auc`].mean.toFixed(3)}  AP ${a[`${c}.ap`].mean.toFixed(3)}`);
    lines.push('confusion (sum over folds, rows reference N S V F, columns predicted):', ...cv.confusion.map((r, i) => `  ${'NSVF'[i]} ${r.map((v) => String(v).padStart(6)).join(' ')}`));
    await io.out(`${lines.join('\n')}\n`);
  },
};
