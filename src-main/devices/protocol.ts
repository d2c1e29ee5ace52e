/**
 * The wire protocol between the app (or `ecg-review device …`) and a device agent. HTTP/JSON under `/api/`,
 * bearer tokens, and a WebSocket at `/api/stream` for live beats. Shared by both sides so they cannot drift.
 */
import type { ActiveModel } from '../domain/device.js';

export type { ActiveModel, AgentHello, DeviceStatus, LatencyStats, StreamMessage } from '../domain/device.js';

export const AGENT_PROTOCOL_VERSION = 1;
export const MDNS_SERVICE_TYPE = 'ecgreview';
/** Uploads larger than this are refused before a byte is stored (compressed models are tens of KB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const SHA256_HEADER = 'x-content-sha256';

export interface PairRequest { code: string; client: string }
export interface PairResponse { token: string; tokenId: string; deviceId: string }

export interface PushResponse { model: ActiveModel; previousModel: ActiveModel | null }

export interface ErrorBody { error: string }
