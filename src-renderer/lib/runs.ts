/** How a run is named wherever runs are listed: its model, and how that model was adapted to the patient. */
import { describeAdaptation, type RunSummary } from '../../src-main/api/contract.js';

export function runModelLabel(run: Pick<RunSummary, 'modelId' | 'adaptation'>): string {
  return run.adaptation ? `${run.modelId}, ${describeAdaptation(run.adaptation)}` : run.modelId;
}

/** The short form for tight places (the top bar): `cnn (adapted, first 5 min)`; the long one goes in its title. */
export function runModelShort(run: Pick<RunSummary, 'modelId' | 'adaptation'>): string {
  return run.adaptation ? `${run.modelId} (adapted, first ${run.adaptation.minutes} min)` : run.modelId;
}
