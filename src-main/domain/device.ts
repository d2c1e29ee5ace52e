/**
 * What a device agent says about itself, as plain JSON types. The wire protocol (devices/protocol.ts), the agent
 * (src-agent) and the API contract the renderer reads (api/contract.ts) all use these, so they cannot drift apart.
 */

export interface AgentHello {
  protocol: number;
  deviceId: string;
  name: string;
  version: string;
  paired: boolean;
}

/** The model a device runs. */
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

/** Messages on the `/api/stream` WebSocket. */
export type StreamMessage =
  | { type: 'beat'; sample: number; time: number; label: string; probabilities: number[] | null; latencyMs: number; delayMs: number; modelId: string }
  | { type: 'rate'; time: number; bpm: number }
  | { type: 'alert'; time: number; kind: string; message: string }
  | { type: 'status'; running: boolean; source: string | null }
  | { type: 'end'; beats: number };

/** One row of the Devices view (and `ecg-review device list`): a device added by address or found by mDNS, and its live state. */
export interface DeviceRow {
  address: string;
  name?: string;
  deviceId?: string;
  /** We hold a token for it. */
  paired: boolean;
  /** Found by mDNS, not (yet) in the registry. */
  discovered?: boolean;
  online: boolean;
  /** Full status when paired and online. */
  status?: DeviceStatus;
  /** Why it is offline or the status could not be read (one line). */
  error?: string;
}
