/** A service job followed from the command line: progress lines while it runs, its run ids when done. */
import type { JobSummary } from '../api/contract.js';
import { CliError } from './args.js';
import type { CliIo } from './command.js';

export async function waitForJob(service: { getJob(id: string): Promise<JobSummary> }, jobId: string, io: CliIo): Promise<string[]> {
  let job = await service.getJob(jobId);
  while (job.state === 'running') {
    io.progress(`${Math.round(job.progress * 100)}% ${job.message}`);
    await new Promise((r) => setTimeout(r, 200));
    job = await service.getJob(jobId);
  }
  if (job.state !== 'done') throw new CliError(`classification ${job.state}: ${job.error ?? job.message}`);
  return job.runIds;
}
