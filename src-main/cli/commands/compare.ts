import { writeFile } from 'node:fs/promises';
import type { BackendPreference } from '../../model/engine/backend.js';
import { compareModels, LITE_BACKEND } from '../../model/compress/compare.js';
import { formatComparisonHtml, formatComparisonText } from '../../model/compress/compare-report.js';
import { defaultMitdbDir } from '../../model/compress/evaluate.js';
import { CliError, intFlag, positiveFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { commandLine, recordList } from './compress.js';

export const command: Command = {
  name: 'compare',
  usage: 'ecg-review compare <model-dir...> [--eval ds2] [--adapt-minutes M] [--backends wasm,cpu,lite] [--json] [--html report.html]',
  summary: "Compare models on the same beats: parameters, non-zero parameters, bytes on disk (and gzipped), latency per beat on each backend (single beat and batched, median and p95) and on the lite runtime (single beat; — for models it does not run), accuracy, macro-F1 (N,S,V), Se/+P per class, and McNemar's test between every pair; --html adds an accuracy-versus-size plot.",
  flags: {
    eval: { type: 'string', description: 'evaluation records: ds2 (default), none, or names like 100,103' },
    data: { type: 'string', description: 'MIT-BIH directory (default $ECG_DATA_DIR/mitdb or ../shared/data/mitdb)' },
    backends: { type: 'string', description: 'backends to time on, comma-separated: node, wasm, cpu (tfjs), lite (plain TypeScript, single beat) (default node,wasm,cpu,lite; unavailable ones are skipped)' },
    'latency-runs': { type: 'string', description: 'timed single-beat predictions per model and backend (default 50)' },
    'batch-size': { type: 'string', description: 'batch size of the batched timing (default 256)' },
    'adapt-minutes': { type: 'string', description: "patient-specific protocol: adapt each model to each record on its first M minutes of atr labels and score from minute M (EC57's learning period is 5)" },
    json: { type: 'boolean', description: 'JSON output' },
    html: { type: 'string', description: 'also write an HTML report (table, plot, McNemar) to this file' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length === 0) throw new CliError('compare needs at least one <model-dir>');
    const backends = (stringFlag(flags, 'backends') ?? `node,wasm,cpu,${LITE_BACKEND}`).split(',').map((s) => s.trim()) as (BackendPreference | typeof LITE_BACKEND)[];
    for (const b of backends) if (!['node', 'wasm', 'cpu', LITE_BACKEND].includes(b)) throw new CliError(`--backends: unknown backend '${b}' (node, wasm, cpu, ${LITE_BACKEND})`);
    const c = await compareModels(positionals, {
      dataDir: stringFlag(flags, 'data') ?? defaultMitdbDir(),
      records: recordList(stringFlag(flags, 'eval', 'ds2')!, 'eval'),
      backends,
      latencyRuns: intFlag(flags, 'latency-runs'),
      batchSize: intFlag(flags, 'batch-size'),
      adaptMinutes: positiveFlag(flags, 'adapt-minutes', 'minutes'),
      progress: (m) => io.progress(m),
    });
    const html = stringFlag(flags, 'html');
    if (html) await writeFile(html, formatComparisonHtml(c, commandLine('compare', flags, positionals)));
    await io.out(flags.json ? `${JSON.stringify(c, null, 2)}\n` : formatComparisonText(c));
  },
};
