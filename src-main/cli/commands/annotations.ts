import { openRecording, readAnnotations } from '../../formats/index.js';
import { CliError, numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'annotations',
  usage: 'ecg-review annotations <record> [--annotator atr] [--json]',
  summary: 'Print the annotations of a recording: a WFDB annotator file (default atr), or the annotations embedded in an EDF+ file.',
  flags: {
    annotator: { type: 'string', description: 'WFDB annotator name or annotation file path (default atr for WFDB records)' },
    json: { type: 'boolean', description: 'JSON output' },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('annotations takes exactly one <record>');
    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    try {
      const anns = await readAnnotations(src, stringFlag(flags, 'annotator'));
      const fs = src.info.fs;
      const time = (s: number): number => Math.round((s / fs) * 1e6) / 1e6;
      if (flags.json) {
        const rows = anns.map((a) => JSON.stringify({ sample: a.sample, time: time(a.sample), symbol: a.symbol, subtype: a.subtype, chan: a.chan, num: a.num, aux: a.aux }));
        await io.out(`{"annotations":[${rows.join(',')}]}\n`);
        return;
      }
      const lines = ['    time      sample  type  sub chan  num  aux'];
      for (const a of anns) {
        const t = a.sample / fs;
        const ts = `${Math.floor(t / 60)}:${(t % 60).toFixed(3).padStart(6, '0')}`;
        lines.push(`${ts.padStart(12)} ${String(a.sample).padStart(9)}  ${a.symbol.padStart(4)} ${String(a.subtype).padStart(4)} ${String(a.chan).padStart(4)} ${String(a.num).padStart(4)}  ${a.aux}`);
      }
      await io.out(`${lines.join('\n')}\n`);
    } finally {
      await src.close();
    }
  },
};
