/** A small, strict argument parser: unknown flags are an error, so typos never pass silently. */
import { EcgReviewError } from '../domain/errors.js';

export class CliError extends EcgReviewError {}

export interface FlagSpec {
  /** `boolean` flags take no value; `string` flags take the next word (or `--flag=value`). */
  type: 'boolean' | 'string';
  /** May be repeated; values are collected. */
  multiple?: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(command: string, argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq >= 0 ? eq : undefined);
      const s = spec[name];
      if (!s) throw new CliError(`unknown option --${name} for '${command}' (try 'ecg-review ${command} --help')`);
      let value: string | boolean;
      if (s.type === 'boolean') {
        if (eq >= 0) throw new CliError(`option --${name} takes no value`);
        value = true;
      } else if (eq >= 0) {
        value = a.slice(eq + 1);
      } else {
        if (i + 1 >= argv.length) throw new CliError(`option --${name} needs a value`);
        value = argv[++i];
      }
      if (s.multiple) ((flags[name] as string[] | undefined) ?? (flags[name] = [] as string[]) as string[]).push(value as string);
      else flags[name] = value;
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags };
}

export function intFlag(flags: ParsedArgs['flags'], name: string, fallback?: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n)) throw new CliError(`--${name} must be an integer, got '${String(v)}'`);
  return n;
}

export function numberFlag(flags: ParsedArgs['flags'], name: string, fallback?: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number, got '${String(v)}'`);
  return n;
}

/** A flag that must be a positive number when given (a duration, a learning period…); `what` names its unit. */
export function positiveFlag(flags: ParsedArgs['flags'], name: string, what: string, fallback?: number): number | undefined {
  const n = numberFlag(flags, name, fallback);
  if (n !== undefined && !(n > 0)) throw new CliError(`--${name} must be a positive number of ${what}, got ${n}`);
  return n;
}

export function stringFlag(flags: ParsedArgs['flags'], name: string, fallback?: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new CliError(`--${name} needs a value`);
  return v;
}

export function helpText(usage: string, summary: string, spec: Record<string, FlagSpec>): string {
  const lines = [`usage: ${usage}`, '', summary, ''];
  for (const [k, s] of Object.entries(spec)) lines.push(`  --${k}${s.type === 'string' ? ' <value>' : ''}`.padEnd(28) + s.description);
  return lines.join('\n');
}
