import type { FlagSpec, ParsedArgs } from './args.js';

/** Where a command writes; tests pass their own. Writes are awaited so large JSON is not cut off. */
export interface CliIo {
  out(text: string): Promise<void>;
  err(text: string): void;
  /** Progress lines (stderr, rewritten in place on a TTY). */
  progress(text: string): void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Returns the exit code (0 when omitted). */
  run(args: ParsedArgs, io: CliIo): Promise<number | void>;
}
