/**
 * The wire protocol between the app (or `ecg-review device …`) and a device agent. HTTP/JSON under `/api/`,
 * bearer tokens, and a WebSocket at `/api/stream` for live beats. Shared by both sides so they cannot drift.
 */
export const AGENT_PROTOCOL_VERSION = 1;
export const MDNS_SERVICE_TYPE = 'ecgreview';
/** Uploads larger than this are refused before a byte is stored (compressed models are tens of KB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const SHA256_HEADER = 'x-content-sha256';

export interface AgentHello {
  protocol: number;
  deviceId: string;
  name: string;
  version: string;
  paired: boolean;
}

export interface PairRequest { code: string; client: string }
export interface PairResponse { token: string; tokenId: string; deviceId: string }

export interface ActiveModel {
  /** Directory name on the device: `<name>-<sha256 prefix>`. */
  id: string;
  name: string;
  version: string;
  sha256: string;
  bytes: number;
  activatedAt: string;
  /** Accuracy of the self-test on the agent's built-in beats at activation. */
  selfTestAccuracy: number | null;
}

export interface LatencyStats { p50: number | null; p95: number | null; count: number }

export interface DeviceStatus extends AgentHello {
  model: ActiveModel | null;
  previousModel: ActiveModel | null;
  backend: string;
  uptimeSeconds: number;
  cpu: { userSeconds: number; systemSeconds: number; loadAverage: number[] };
  memory: { rssBytes: number; heapUsedBytes: number };
  /** Per-beat latency from the R peak's arrival to the label being streamed, milliseconds. */
  latency: LatencyStats;
  monitoring: { source: string | null; running: boolean; beats: number; speed: number };
  pushInProgress: boolean;
}

export interface PushResponse { model: ActiveModel; previousModel: ActiveModel | null }

/** Messages on the `/api/stream` WebSocket. */
export type StreamMessage =
  | { type: 'beat'; sample: number; time: number; label: string; probabilities: number[] | null; latencyMs: number; delayMs: number; modelId: string }
  | { type: 'rate'; time: number; bpm: number }
  | { type: 'alert'; time: number; kind: string; message: string }
  | { type: 'status'; running: boolean; source: string | null }
  | { type: 'end'; beats: number };

export interface ErrorBody { error: string }
