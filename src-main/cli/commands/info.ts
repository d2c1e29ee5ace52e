import { openRecording } from '../../formats/index.js';
import type { Command } from '../command.js';
import { CliError, numberFlag } from '../args.js';

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')}`;
}

export const command: Command = {
  name: 'info',
  usage: 'ecg-review info <record> [--json]',
  summary: 'Show the format, sampling rate, signals (name, units, gain, baseline, ADC resolution), length and start time of a recording. <record> is a WFDB record (with or without .hea), an .edf, an ISHNE .ecg or a .csv.',
  flags: {
    json: { type: 'boolean', description: 'JSON output' },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('info takes exactly one <record>');
    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    try {
      const i = src.info;
      const result = {
        record: i.name,
        path: i.path,
        format: i.format,
        fs: i.fs,
        length: i.length,
        duration: i.length / i.fs,
        startTime: i.startTime ? i.startTime.toISOString() : null,
        signals: i.signals.map((s) => ({
          name: s.name, units: s.units, gain: s.gain, baseline: s.baseline,
          adcResolution: s.adcResolution, adcZero: s.adcZero, storage: s.storage,
          ...(s.initialValue !== undefined ? { initialValue: s.initialValue } : {}),
          ...(s.checksum !== undefined ? { checksum: s.checksum } : {}),
        })),
        comments: i.comments,
        warnings: i.warnings,
      };
      if (flags.json) {
        await io.out(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `Record:     ${i.name} (${i.path})`,
        `Format:     ${i.format}`,
        `Sampling:   ${i.fs} Hz`,
        `Length:     ${i.length} samples (${hms(i.length / i.fs)})`,
        `Start:      ${result.startTime ?? 'not given'}`,
        `Signals:    ${i.signals.length}`,
        ...i.signals.map((s, k) => `  ${k}: ${s.name.padEnd(10)} ${s.units.padEnd(4)} gain ${s.gain} adu/${s.units}, baseline ${s.baseline}, ${s.adcResolution}-bit, format ${s.storage}`),
        ...(i.comments.length ? ['Comments:', ...i.comments.map((c) => `  ${c}`)] : []),
        ...i.warnings.map((w) => `Warning: ${w}`),
      ];
      await io.out(`${lines.join('\n')}\n`);
    } finally {
      await src.close();
    }
  },
};
