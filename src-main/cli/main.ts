/**
 * `ecg-review`: the command-line adapter over the domain core. Expected failures (the core's own error types)
 * print one line on stderr and exit 1; anything else is a bug and says so, still on one line unless
 * ECG_REVIEW_DEBUG is set.
 */
import { readFileSync } from 'node:fs';
import { isEcgReviewError } from '../domain/errors.js';
import { CliError, helpText, parseArgs } from './args.js';
import type { CliIo } from './command.js';
import { COMMANDS } from './commands/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const lines = ['usage: ecg-review <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(13)}${c.summary}`);
  lines.push('', "Run 'ecg-review <command> --help' for a command's options.", 'Add --json for machine-readable output.');
  return lines.join('\n');
}

export const stdio: CliIo = {
  out: (text) =>
    new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (e) => (e ? reject(e) : resolve()));
    }),
  err: (text) => { process.stderr.write(`${text}\n`); },
  progress: (text) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
    else process.stderr.write(`${text}\n`);
  },
};

export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      await io.out(`${topHelp()}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      await io.out(`${version()}\n`);
      return 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw new CliError(`unknown command '${name}' (run 'ecg-review --help' for the list)`);
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      await io.out(`${helpText(command.usage, command.summary, command.flags)}\n`);
      return 0;
    }
    const args = parseArgs(name, rest, command.flags);
    return (await command.run(args, io)) ?? 0;
  } catch (e) {
    // Exactly one line on stderr, whatever the message holds.
    const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    const prefix = name ? `ecg-review ${name}` : 'ecg-review';
    if (isEcgReviewError(e)) {
      io.err(oneLine(`${prefix}: ${e.message}`));
    } else {
      const err = e as Error;
      io.err(oneLine(`${prefix}: internal error: ${err?.message ?? String(e)}`));
      if (process.env.ECG_REVIEW_DEBUG) io.err(err?.stack ?? '');
    }
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:bin\.mjs|main\.ts|ecg-review)$/.test(process.argv[1]);
if (isEntry) {
  // A closed pipe (`ecg-review dump … | head`) is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
  process.exitCode = await runCli(process.argv.slice(2));
}
