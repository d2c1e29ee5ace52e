/**
 * Model cards of compressed models: the parent's card (classes, window, preprocessing, decision offsets — what
 * the classify path needs) carried over, plus what compression changed and measured: parameters, non-zero
 * parameters, bytes on disk and gzipped, DS2 results, the exact command, the parent model and every
 * compression step from the original full model.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompressError } from './errors.js';

export const MODEL_CARD = 'model-card.json';

export interface CompressionStep {
  kind: 'distill' | 'prune' | 'quantize' | 'expand' | 'adapt' | 'integer';
  /** Parameters of the step (ratio, structured, student, dtype, epochs…). */
  [k: string]: unknown;
}

export interface ModelCard {
  name?: string;
  description?: string;
  architecture?: string;
  classes?: string[];
  window?: unknown;
  decisionBias?: number[];
  bias?: number[];
  parameters?: number;
  nonZeroParameters?: number;
  sizeOnDiskBytes?: number;
  gzipBytesOnDisk?: number;
  trainedOn?: string[] | string;
  parent?: { name: string; dir: string } | null;
  compression?: CompressionStep[];
  command?: string;
  evaluation?: Record<string, unknown>;
  [k: string]: unknown;
}

export async function readCard(dir: string): Promise<ModelCard | null> {
  const p = join(dir, MODEL_CARD);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(await readFile(p, 'utf8')) as ModelCard;
  } catch (e) {
    throw new CompressError(`is not valid JSON: ${(e as Error).message}`, p);
  }
}

export async function writeCard(dir: string, card: ModelCard): Promise<void> {
  await writeFile(join(dir, MODEL_CARD), `${JSON.stringify(card, null, 2)}\n`);
}
