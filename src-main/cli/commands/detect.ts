import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { beatsToAnnotations } from '../../evaluation/ec57/labels.js';
import { openRecording } from '../../formats/index.js';
import { writeWfdbAnnotationFile } from '../../formats/wfdb/annotations.js';
import { detectQrsInRecording } from '../../signal/detect-recording.js';
import { CliError, numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

type OutFormat = 'wfdb' | 'csv' | 'json';

function parseLeads(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const leads = v.split(',').map((s) => Number(s.trim()));
  if (leads.some((l) => !Number.isInteger(l) || l < 0)) throw new CliError(`--leads must be comma-separated signal indices, got '${v}'`);
  return leads;
}

export const command: Command = {
  name: 'detect',
  usage: 'ecg-review detect <record> [--out <file>] [--format wfdb|csv|json] [--json] [--leads 0,1]',
  summary:
    'Detect QRS complexes (beats) in a recording with the multi-lead streaming detector. Writes the beats as a WFDB annotation file ' +
    '(every beat labelled N; name it <dir>/<record>.qrs and WFDB tools read it as annotator qrs), as CSV (sample,time,symbol) or as JSON. ' +
    'Without --out the result goes to stdout (CSV, or JSON with --json). The format defaults to the --out extension (.csv, .json, otherwise wfdb).',
  flags: {
    out: { type: 'string', description: 'output file' },
    format: { type: 'string', description: 'wfdb, csv or json' },
    json: { type: 'boolean', description: 'JSON output (same as --format json)' },
    leads: { type: 'string', description: 'signal indices to use, e.g. 0 or 0,1 (default all)' },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('detect takes exactly one <record>');
    const out = stringFlag(flags, 'out');
    let format = stringFlag(flags, 'format') as OutFormat | undefined;
    if (format !== undefined && !['wfdb', 'csv', 'json'].includes(format)) throw new CliError(`--format must be wfdb, csv or json, got '${format}'`);
    if (flags.json) {
      if (format && format !== 'json') throw new CliError(`--json contradicts --format ${format}`);
      format = 'json';
    }
    if (!format) {
      const ext = out ? extname(out).toLowerCase() : '';
      format = ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : out ? 'wfdb' : 'csv';
    }
    if (format === 'wfdb' && !out) throw new CliError('--format wfdb writes a binary annotation file: give --out <dir>/<record>.qrs');

    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    let beats: Int32Array;
    let shown = -1;
    try {
      beats = await detectQrsInRecording(src, {
        leads: parseLeads(stringFlag(flags, 'leads')),
        onProgress: (f) => {
          const pct = Math.floor(f * 10) * 10;
          if (pct !== shown) { shown = pct; io.progress(`detecting: ${pct} %`); }
        },
      });
    } finally {
      await src.close();
    }
    const { fs, name } = src.info;
    const time = (s: number): number => Math.round((s / fs) * 1e6) / 1e6;
    if (format === 'wfdb') {
      await writeWfdbAnnotationFile(out!, beatsToAnnotations(beats));
      io.err(`${beats.length} beats written to ${out}`);
      return;
    }
    let text: string;
    if (format === 'csv') {
      const lines = ['sample,time,symbol'];
      for (const s of beats) lines.push(`${s},${time(s)},N`);
      text = `${lines.join('\n')}\n`;
    } else {
      const rows = Array.from(beats, (s) => `{"sample":${s},"time":${time(s)}}`);
      text = `{"record":${JSON.stringify(name)},"fs":${fs},"beats":[${rows.join(',\n')}]}\n`;
    }
    if (out) {
      await writeFile(out, text);
      io.err(`${beats.length} beats written to ${out}`);
    } else {
      await io.out(text);
    }
  },
};
