/**
 * What the agent needs from a model: load it from a directory, prove it works (self-test on built-in beats),
 * and label beats from a live stream. The real implementation (`model-runtime.ts`) uses the app's model format,
 * QRS detector and beat pipeline, and runs the model on the lite runtime or TensorFlow.js (`classifiers.ts`);
 * tests may inject a fake to exercise faults.
 */
export interface SelfTestResult {
  /** Fraction of the built-in beats labelled as their reference says. */
  accuracy: number;
  beats: number;
  /** Accuracy the model card promises (DS2), if it states one. */
  promised: number | null;
  tolerance: number;
  passed: boolean;
  /** Which runtime ran the self-test, the one that runs the model live (as `LoadedModel.backend`). */
  backend: string;
  message: string;
}

export interface BeatLabel { label: string; probabilities: number[] | null }

export interface LoadedModel {
  name: string;
  version: string;
  /** Which runtime runs this model: 'lite (plain TypeScript)' or the TensorFlow.js backend ('wasm', …). */
  backend: string;
  selfTest(): Promise<SelfTestResult>;
  dispose(): void;
}

/** A live pipeline: samples in (frames of all leads), labelled beats out. */
export interface BeatPipeline {
  /**
   * Seconds after its R peak by which every beat is out, when that is bounded and short (a causal pipeline: ~30 ms).
   * Absent when it varies with the rhythm (offline inputs wait for later beats), so a pause cannot be told apart
   * from a beat still on its way.
   */
  readonly maxDelaySeconds?: number;
  /** Feed a chunk of physical samples, one Float32Array per lead. Returns beats that became final. */
  push(leads: Float32Array[]): Promise<{ sample: number; label: string; probabilities: number[] | null; readyAtSample: number }[]>;
  flush(): Promise<{ sample: number; label: string; probabilities: number[] | null; readyAtSample: number }[]>;
}

export interface ModelRuntime {
  /** What runs models, for the status while no model is loaded (a loaded model says its own `backend`). */
  readonly backend: string;
  load(dir: string): Promise<LoadedModel>;
  /** A pipeline for a stream at `fs` Hz with the given lead names, using the loaded model. */
  pipeline(model: LoadedModel, fs: number, leadNames: string[]): BeatPipeline;
}
