/** The `ecg-review` command line run in this process, its output captured (for tests). */
import type { CliIo } from '../../src-main/cli/command.js';
import { runCli } from '../../src-main/cli/main.js';

export async function runCliCaptured(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIo = { out: async (t) => { out.push(t); }, err: (t) => { err.push(`${t}\n`); }, progress: () => {} };
  const code = await runCli(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
