/**
 * The app's side of the device protocol: pair, status, push (with progress), rollback, revoke, watch.
 * A device is named by `host:port`. Every failure is a DeviceError naming the device and what went wrong.
 */
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { sha256 } from './bundle.js';
import { DeviceError } from './errors.js';
import {
  SHA256_HEADER, type AgentHello, type DeviceStatus, type PairResponse, type PushResponse, type StreamMessage,
} from './protocol.js';

export interface DeviceAddress { host: string; port: number }

export function parseDeviceAddress(text: string): DeviceAddress {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new DeviceError(`is not a device address; expected host:port, e.g. 127.0.0.1:8765`, text);
  return { host: m[1], port };
}

export const formatDeviceAddress = (a: DeviceAddress): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

interface CallOptions {
  method: string;
  path: string;
  body?: Uint8Array | string;
  headers?: Record<string, string>;
  onUploadProgress?: (sent: number, total: number) => void;
  timeoutMs?: number;
}

export class DeviceClient {
  readonly name: string;
  constructor(readonly address: DeviceAddress, private token?: string) {
    this.name = formatDeviceAddress(address);
  }

  private call<T>(o: CallOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
      const headers: Record<string, string> = { ...o.headers };
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      if (body) headers['content-length'] = String(body.length);
      const req = request({ host: this.address.host, port: this.address.port, method: o.method, path: o.path, headers, timeout: o.timeoutMs ?? 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { error: text }; }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(new DeviceError(`${(parsed as { error?: string }).error ?? `HTTP ${status}`} (HTTP ${status})`, this.name, status));
        });
        res.on('error', (e) => reject(new DeviceError(`connection lost: ${e.message}`, this.name)));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ECONNREFUSED' ? 'connection refused (is the agent running?)' : e.message;
        reject(new DeviceError(why, this.name));
      });
      if (body && o.onUploadProgress) {
        // Write in slices so the caller can show progress on large models.
        const slice = 64 * 1024;
        let sent = 0;
        const pump = (): void => {
          while (sent < body.length) {
            const part = body.subarray(sent, Math.min(body.length, sent + slice));
            sent += part.length;
            o.onUploadProgress!(sent, body.length);
            if (!req.write(part)) { req.once('drain', pump); return; }
          }
          req.end();
        };
        pump();
      } else {
        req.end(body);
      }
    });
  }

  hello(): Promise<AgentHello> {
    return this.call({ method: 'GET', path: '/api/hello', timeoutMs: 5000 });
  }

  async pair(code: string, client = 'ecg-review'): Promise<PairResponse> {
    const r = await this.call<PairResponse>({ method: 'POST', path: '/api/pair', body: JSON.stringify({ code, client }), headers: { 'content-type': 'application/json' } });
    this.token = r.token;
    return r;
  }

  status(): Promise<DeviceStatus> {
    return this.call({ method: 'GET', path: '/api/status' });
  }

  /** Push a packed model bundle; `sha` defaults to the bundle's real hash (tests pass a wrong one on purpose). */
  push(bundle: Uint8Array, onProgress?: (sent: number, total: number) => void, sha = sha256(bundle)): Promise<PushResponse> {
    return this.call({ method: 'PUT', path: '/api/model', body: bundle, headers: { [SHA256_HEADER]: sha, 'content-type': 'application/octet-stream' }, onUploadProgress: onProgress, timeoutMs: 300_000 });
  }

  rollback(): Promise<PushResponse> {
    return this.call({ method: 'POST', path: '/api/model/rollback' });
  }

  tokens(): Promise<{ tokens: { id: string; client: string; createdAt: string }[] }> {
    return this.call({ method: 'GET', path: '/api/tokens' });
  }

  revoke(tokenId: string): Promise<{ revoked: string }> {
    return this.call({ method: 'DELETE', path: `/api/tokens/${encodeURIComponent(tokenId)}` });
  }

  requestPairingCode(): Promise<{ message: string }> {
    return this.call({ method: 'POST', path: '/api/pair/code' });
  }

  startMonitoring(record: string, speed = 1, seconds?: number): Promise<{ running: boolean }> {
    return this.call({ method: 'POST', path: '/api/monitor', body: JSON.stringify({ record, speed, seconds }), headers: { 'content-type': 'application/json' } });
  }

  stopMonitoring(): Promise<{ running: boolean }> {
    return this.call({ method: 'DELETE', path: '/api/monitor' });
  }

  /** Subscribe to live beats; resolves once subscribed. Call `close()` on the result to stop. */
  watch(onMessage: (m: StreamMessage) => void): Promise<{ close: () => void; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${this.name}/api/stream`, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
      const closed = new Promise<void>((r) => ws.on('close', () => r()));
      ws.on('open', () => resolve({ close: () => ws.close(), closed }));
      ws.on('message', (d) => { try { onMessage(JSON.parse(String(d)) as StreamMessage); } catch { /* ignore malformed */ } });
      ws.on('unexpected-response', (_req, res) => reject(new DeviceError(`stream refused (HTTP ${res.statusCode})`, this.name, res.statusCode)));
      ws.on('error', (e) => reject(new DeviceError(`stream failed: ${e.message}`, this.name)));
    });
  }
}
