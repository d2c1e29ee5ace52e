/** How a run is named wherever runs are listed: its model, and how that model was adapted to the patient. */
import { describeAdaptation, type RunSummary } from '../../src-main/api/contract.js';

export function runModelLabel(run: Pick<RunSummary, 'modelId' | 'adaptation'>): string {
  return run.adaptation ? `${run.modelId}, ${describeAdaptation(run.adaptation)}` : run.modelId;
}
