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
    [['--leads', '2', '--beat-channel'], /--beat-channel and --leads 2 cannot be combined/],
    [['--train-beats', 'qrs'], /--train-beats must be annotator or live-detector, got 'qrs'/],
    [['--train-beats', 'live-detector'], /--train-beats live-detector is for causal models \(add --causal\)/],
    [['--consensus'], /--consensus is chosen on out-of-fold predictions: add --decision-folds K/],
    [['--consensus', '--decision-folds', '1'], /--consensus is chosen on out-of-fold predictions/],
    [['--consensus', '--eval', 'patient'], /--consensus belongs to a shipped model \(--eval ds1ds2\), not to --eval patient/],
    [['--min-ppv', 'N=99.2'], /--min-se \/ --min-ppv are held on out-of-fold predictions: add --decision-folds K/],
    [['--min-ppv', 'N=99.2', '--decision-folds', '5', '--eval', 'kfold'], /--min-se \/ --min-ppv set a shipped model's operating point \(--eval ds1ds2\), not --eval kfold's/],
    [['--min-ppv', 'Q=99', '--decision-folds', '5'], /--min-ppv takes CLASS=percent pairs with a class among N, S, V, F .*got 'Q=99'/],
    [['--min-se', 'S=120', '--decision-folds', '5'], /--min-se takes CLASS=percent pairs .*got 'S=120'/],
    [['--min-ppv', 'N:99', '--decision-folds', '5'], /--min-ppv takes CLASS=percent pairs .*got 'N:99'/],
  ])('%j is refused', async (args, msg) => {
    const r = await cli('train', '--eval', 'ds1ds2', '--out', '/nonexistent/never-written', ...args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(msg);
  });
});
