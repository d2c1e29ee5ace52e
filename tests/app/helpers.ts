/** Shared fixtures of the app tests: a service over MIT-BIH, the two transports, job waiting. */
import { fileURLToPath } from 'node:url';
import type { EcgApi, JobSummary } from '../../src-main/api/contract.js';
import { ReviewService, type ServiceOptions } from '../../src-main/services/review-service.js';
import { DATA_DIR } from '../helpers/data.js';

export const MODELS_DIR = fileURLToPath(new URL('../../resources/models', import.meta.url));

export function makeService(opts: Partial<ServiceOptions> = {}): ReviewService {
  return new ReviewService({ dataDir: DATA_DIR, modelsDir: MODELS_DIR, ...opts });
}

export async function waitJob(api: EcgApi, jobId: string, timeoutMs = 90_000): Promise<JobSummary> {
  const t0 = Date.now();
  for (;;) {
    const j = await api.getJob(jobId);
    if (j.state !== 'running') return j;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${jobId} still running after ${timeoutMs} ms: ${j.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
