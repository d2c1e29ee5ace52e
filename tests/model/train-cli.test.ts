/** `ecg-review train` refuses contradictory input options before it loads or trains anything. */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src-main/cli/command.js';
import { runCli } from '../../src-main/cli/main.js';

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const io: CliIo = { out: async () => {}, err: (t) => { err.push(`${t}\n`); }, progress: () => {} };
  const code = await runCli(args, io);
  return { code, err: err.join('') };
}

describe('ecg-review train: input options', () => {
  it.each([
    [['--leads', '3'], /--leads must be 1 or 2, got '3'/],
    [['--leads', '2', '--causal'], /--leads 2 has no causal form yet/],
    [['--train-beats', 'qrs'], /--train-beats must be annotator or live-detector, got 'qrs'/],
    [['--train-beats', 'live-detector'], /--train-beats live-detector is for causal models \(add --causal\)/],
    [['--consensus'], /--consensus is chosen on out-of-fold predictions: add --decision-folds K/],
    [['--consensus', '--decision-folds', '1'], /--consensus is chosen on out-of-fold predictions/],
    [['--consensus', '--eval', 'patient'], /--consensus belongs to a shipped model \(--eval ds1ds2\), not to --eval patient/],
  ])('%j is refused', async (args, msg) => {
    const r = await cli('train', '--eval', 'ds1ds2', '--out', '/nonexistent/never-written', ...args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(msg);
  });
});
