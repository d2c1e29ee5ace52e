import { toPhysical } from '../../domain/recording.js';
import { openRecording } from '../../formats/index.js';
import { CliError, intFlag, numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'dump',
  usage: 'ecg-review dump <record> [--from N] [--to N] [--channels 0,1] [--physical] [--json]',
  summary: 'Print samples of a recording: digital (ADC units) by default, physical units with --physical. --to is exclusive.',
  flags: {
    from: { type: 'string', description: 'first sample (default 0)' },
    to: { type: 'string', description: 'end sample, exclusive (default: the end)' },
    channels: { type: 'string', description: 'comma-separated signal indices (default: all)' },
    physical: { type: 'boolean', description: 'physical units instead of ADC units' },
    json: { type: 'boolean', description: 'JSON output' },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('dump takes exactly one <record>');
    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    try {
      const chText = stringFlag(flags, 'channels');
      const channels = chText?.split(',').map((c) => {
        const n = Number(c);
        if (c.trim() === '' || !Number.isInteger(n)) throw new CliError(`--channels must be comma-separated integers, got '${chText}'`);
        return n;
      });
      const from = intFlag(flags, 'from', 0)!;
      const to = intFlag(flags, 'to', src.info.length)!;
      if (from < 0 || to > src.info.length || from > to) {
        throw new CliError(`window [${from}, ${to}) is outside ${src.info.name}'s samples 0..${src.info.length}`);
      }
      const rec = await src.read({ from, to, channels });
      const columns = rec.signals.map((s) => (flags.physical ? toPhysical(s) : s.samples));
      const fmt = (v: number): string => (Number.isNaN(v) ? 'null' : flags.physical ? String(Math.round(v * 1e6) / 1e6) : String(v));
      if (flags.json) {
        // Written in pieces: a whole MIT-BIH record is 1.3 million numbers.
        // {"fs":360,"from":0,"to":650000,"signals":[{"name":"MLII","units":"mV","samples":[...]}]}; `to` is exclusive.
        await io.out(`{"fs":${rec.info.fs},"from":${rec.from},"to":${rec.to},"signals":[`);
        for (let k = 0; k < columns.length; k++) {
          const s = rec.signals[k];
          await io.out(`${k ? ',' : ''}{"name":${JSON.stringify(s.name)},"units":${JSON.stringify(s.units)},"samples":[`);
          const col = columns[k];
          const CH = 65536;
          for (let i = 0; i < col.length; i += CH) {
            const end = Math.min(col.length, i + CH);
            let text: string;
            if (!flags.physical) {
              text = col.subarray(i, end).join(','); // integers: the typed array's native join is the fast path
            } else {
              const part: string[] = new Array(end - i);
              for (let j = i; j < end; j++) part[j - i] = fmt(col[j]);
              text = part.join(',');
            }
            await io.out((i ? ',' : '') + text);
          }
          await io.out(']}');
        }
        await io.out(']}\n');
        return;
      }
      await io.out(`sample\t${rec.signals.map((s) => `${s.name} (${flags.physical ? s.units : 'adu'})`).join('\t')}\n`);
      const CH = 65536;
      for (let i = 0; i < rec.to - rec.from; i += CH) {
        const lines: string[] = [];
        for (let j = i; j < Math.min(rec.to - rec.from, i + CH); j++) lines.push(`${rec.from + j}\t${columns.map((c) => fmt(c[j])).join('\t')}`);
        await io.out(`${lines.join('\n')}\n`);
      }
    } finally {
      await src.close();
    }
  },
};
