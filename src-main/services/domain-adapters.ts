/**
 * The seams between the review app and the domain modules being built alongside it (QRS detector, tfjs models).
 * Each adapter returns null / throws an AppError when its module is not there, so the app degrades visibly
 * instead of failing to load.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSummary } from '../api/contract.js';
import type { Classified } from './baseline-classifier.js';
import { AppError } from './errors.js';

export const BASELINE_MODEL_ID = 'rr-morphology-baseline';

export const BASELINE_MODEL: ModelSummary = {
  id: BASELINE_MODEL_ID,
  name: 'RR + morphology rules (baseline)',
  description: 'Rule-based: prematurity of the RR interval and correlation with a running normal template. No training; the floor a trained model must beat.',
  classes: ['N', 'S', 'V', 'F', 'Q'],
  input: 'lead 0, 250 ms around the fiducial + RR intervals',
  card: {},
};

/** QRS positions from the team's detector, or null when it is not available. */
export async function detectBeats(_leads: Float32Array[], _fs: number): Promise<Int32Array | null> {
  return null;
}

/** Models shipped in `resources/models/<id>/model-card.json`, plus the rule-based baseline. */
export async function listShippedModels(modelsDir: string): Promise<ModelSummary[]> {
  const out: ModelSummary[] = [];
  let dirs: string[] = [];
  try { dirs = (await readdir(modelsDir)).sort(); } catch { /* no models dir */ }
  for (const d of dirs) {
    try {
      const card = JSON.parse(await readFile(join(modelsDir, d, 'model-card.json'), 'utf8')) as Record<string, unknown>;
      out.push({
        id: d,
        name: String(card.name ?? d),
        description: String(card.description ?? ''),
        classes: Array.isArray(card.classes) ? (card.classes as string[]) : ['N', 'S', 'V', 'F', 'Q'],
        input: typeof card.input === 'string' ? card.input : JSON.stringify(card.input ?? ''),
        card,
      });
    } catch { /* not a model directory */ }
  }
  return [...out, BASELINE_MODEL];
}

export async function classifyWithModel(
  modelsDir: string, modelId: string, _leads: Float32Array[], _fs: number, _beats: Int32Array, _onProgress: (f: number) => void,
): Promise<Classified> {
  throw new AppError(`model '${modelId}' cannot be run: the tfjs classifier is not available in this build`, join(modelsDir, modelId));
}
