/**
 * Every `ecg-review` command, loaded lazily so `--help` and light commands start fast.
 * One line per command; the summary here is what top-level help prints.
 */
import type { Command } from '../command.js';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  info: { summary: 'format, sampling rate, signals, length and start time of a recording', load: () => import('./info.js') },
  dump: { summary: 'samples of a recording (digital or physical), optionally a window and some channels', load: () => import('./dump.js') },
  annotations: { summary: 'annotations of a recording (WFDB annotator or EDF+ embedded)', load: () => import('./annotations.js') },
  detect: { summary: 'detect QRS complexes (beats) in a recording; write them as WFDB annotations (qrs), CSV or JSON', load: () => import('./detect.js') },
  device: { summary: 'Raspberry Pi devices: list, pair, push a model, rollback, status, watch live beats', load: () => import('./device.js') },
  serve: { summary: 'review app in the browser: serve the UI and API on 127.0.0.1 behind a token, print the URL', load: () => import('./serve.js') },
  report: { summary: 'classify a recording and write the review report (HTML, PDF, CSV of every beat)', load: () => import('./report.js') },
  compress: { summary: 'lighter models: prune, distil into a tiny student, quantize (uint8/float16); writes a model card', load: () => import('./compress.js') },
  compare: { summary: 'models side by side on DS2: size, latency per backend, accuracy, macro-F1, Se/+P, McNemar', load: () => import('./compare.js') },
  evaluate: { summary: 'EC57 beat-by-beat comparison of test annotations with a reference (bxb/sumstats): Se, +P, VEB, SVEB', load: () => import('./evaluate.js') },
  'noise-stress': { summary: 'EC57 noise stress test: records plus NSTDB noise at each SNR (as WFDB nst), detector/classifier Se and +P per SNR', load: () => import('./noise-stress.js') },
  train: { summary: 'train a beat classifier (cnn, attention, transformer) on MIT-BIH DS1; DS2 / K-fold evaluation, model card', load: () => import('./train.js') },
  study: { summary: "several recordings, one or more models, pooled per model as the app's Study tab does: figures with intervals over recordings, EC57, paired differences; HTML/PDF/CSV", load: () => import('./study.js') },
  holter: { summary: 'Holter summary from beat labels: heart rate, HRV, ectopic couplets, runs, bigeminy, trigeminy, pauses, per hour', load: () => import('./holter.js') },
  classify: { summary: 'classify every beat of a recording into AAMI classes with a trained model (WFDB, CSV or JSON)', load: () => import('./classify.js') },
};
