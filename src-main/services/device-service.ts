/**
 * The Devices part of the review app's service: list (registry + mDNS), add, pair, forget, push with progress,
 * rollback, status, live watch and replay — all through `src-main/devices/*` (the same client, registry and
 * bundle code as `ecg-review device …`), so the app and the command line cannot disagree about the protocol.
 *
 * The registry file is re-read for every call rather than cached: the CLI may pair or forget a device while the
 * app runs, and a stale copy written back would undo that.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ApiEvent, DeviceLiveMessage, DevicePushProgress, DevicePushResult, DeviceStatusInfo, DeviceSummary,
} from '../api/contract.js';
import { packModelDir } from '../devices/bundle.js';
import { DeviceClient, formatDeviceAddress, parseDeviceAddress } from '../devices/client.js';
import type { MdnsOptions } from '../devices/discovery.js';
import { deviceOverview } from '../devices/overview.js';
import { DeviceRegistry, defaultRegistryPath } from '../devices/registry.js';
import { BASELINE_MODEL_ID } from './domain-adapters.js';
import { AppError } from './errors.js';

export interface DeviceServiceOptions {
  /** Device registry file (tokens); default `~/.config/ecg-review/devices.json` or $ECG_REVIEW_DEVICES. */
  registryPath?: string;
  /** Shipped models, pushed by id. */
  modelsDir: string;
  /** Resolves a model directory the user names (in browser mode it must lie inside the data directory). */
  resolvePath: (path: string) => Promise<string>;
  emit: (e: ApiEvent) => void;
  /** The directory of the model an adapted run was classified with; null when the run was not adapted. */
  adaptedModelDir?: (runId: string) => Promise<string | null>;
  /** mDNS interface/port for discovery (tests use a private port). */
  mdns?: MdnsOptions;
  /** How long to wait for each device's answer when listing, ms. */
  statusTimeoutMs?: number;
}

interface Watch {
  ready: Promise<void>;
  close: () => void;
  closed: Promise<void>;
  stopping: boolean;
  buffer: DeviceLiveMessage[];
  timer: NodeJS.Timeout | null;
}

/** Live messages are sent to the renderer in batches at most this often (a 100× replay is ~300 beats/s). */
const LIVE_FLUSH_MS = 100;
/** Upload progress events at most this often (the last one always goes). */
const PROGRESS_MS = 100;

export class DeviceService {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly opts: DeviceServiceOptions) {}

  private registry(): Promise<DeviceRegistry> {
    return DeviceRegistry.open(this.opts.registryPath ?? defaultRegistryPath());
  }

  /** Canonical `host:port` (the registry's key); a malformed address is a DeviceError naming it. */
  private canonical(address: unknown): string {
    if (typeof address !== 'string') throw new AppError(`a device is named by host:port, got ${JSON.stringify(address)}`);
    return formatDeviceAddress(parseDeviceAddress(address));
  }

  private async client(address: unknown, needToken = true): Promise<DeviceClient> {
    const name = this.canonical(address);
    const known = (await this.registry()).get(name);
    if (needToken && !known?.token) throw new AppError(`${name}: not paired with this device; pair it with the code shown on its console first`);
    return new DeviceClient(parseDeviceAddress(name), known?.token);
  }

  private async row(address: string): Promise<DeviceSummary> {
    const [r] = await deviceOverview(await this.registry(), { timeoutMs: this.opts.statusTimeoutMs, only: address });
    if (!r) throw new AppError(`${address}: not in the device list`);
    return r;
  }

  async listDevices(options: { discover?: boolean; discoverMs?: number } = {}): Promise<DeviceSummary[]> {
    const discoverMs = Math.max(200, Math.min(10_000, Number(options?.discoverMs) || 2000));
    const rows: DeviceSummary[] = await deviceOverview(await this.registry(), { discover: Boolean(options?.discover), discoverMs, mdns: this.opts.mdns, timeoutMs: this.opts.statusTimeoutMs });
    return rows;
  }

  async addDevice(address: string): Promise<DeviceSummary> {
    const c = await this.client(address, false);
    const hello = await c.hello();
    const reg = await this.registry();
    await reg.upsert({ address: c.name, deviceId: hello.deviceId, name: hello.name });
    return this.row(c.name);
  }

  async pairDevice(address: string, code: string): Promise<DeviceSummary> {
    const c = await this.client(address, false);
    if (typeof code !== 'string' || !/^\s*\d{4,12}\s*$/.test(code)) throw new AppError(`${c.name}: enter the pairing code shown on the device's console (digits), got ${JSON.stringify(code)}`);
    const r = await c.pair(code.trim(), 'ecg-review-app');
    const hello = await c.hello().catch(() => null);
    const reg = await this.registry();
    await reg.upsert({ address: c.name, deviceId: r.deviceId, name: hello?.name, token: r.token, tokenId: r.tokenId, pairedAt: new Date().toISOString() });
    return this.row(c.name);
  }

  async forgetDevice(address: string, options: { revoke?: boolean } = {}): Promise<void> {
    const name = this.canonical(address);
    await this.stopDeviceWatch(name).catch(() => undefined);
    const reg = await this.registry();
    const known = reg.get(name);
    if (known?.token && known.tokenId && options?.revoke !== false) {
      try {
        await new DeviceClient(parseDeviceAddress(name), known.token).revoke(known.tokenId);
      } catch (e) {
        // An unplugged device must still be forgettable; say that its token stays valid there.
        this.opts.emit({ type: 'notice', level: 'warning', message: `${name} forgotten, but its token could not be revoked on the device (${(e as Error).message}); revoke it there with 'ecg-review device revoke'` });
      }
    }
    await reg.remove(name);
  }

  /** A shipped model id, else a model directory the user named. */
  private async modelDir(model: unknown, device: string): Promise<string> {
    if (model && typeof model === 'object' && typeof (model as { runId?: unknown }).runId === 'string') {
      const { runId } = model as { runId: string };
      const dir = await this.opts.adaptedModelDir?.(runId);
      if (!dir) throw new AppError(`${device}: run ${runId} was not adapted to its patient, so it has no model of its own to push; push the model it was classified with instead`);
      return dir;
    }
    if (typeof model !== 'string' || !model.trim()) throw new AppError(`${device}: choose a model to push`);
    if (model === BASELINE_MODEL_ID) throw new AppError(`${device}: ${model} is the rule-based baseline, not a TensorFlow.js model; it cannot run on a device`);
    if (/^[\w.-]+$/.test(model) && existsSync(join(this.opts.modelsDir, model, 'model.json'))) return join(this.opts.modelsDir, model);
    return this.opts.resolvePath(model);
  }

  async pushDeviceModel(address: string, model: string | { runId: string }): Promise<DevicePushResult> {
    const c = await this.client(address);
    const dir = await this.modelDir(model, c.name);
    const name = typeof model === 'string' ? model : `run ${model.runId}`;
    const progress = (p: Omit<DevicePushProgress, 'address' | 'model'>): void => this.opts.emit({ type: 'device-push', progress: { address: c.name, model: name, ...p } });
    let total = 0;
    try {
      progress({ phase: 'packing', sent: 0, total: 0 });
      const bundle = await packModelDir(dir);
      total = bundle.length;
      let last = 0;
      progress({ phase: 'uploading', sent: 0, total });
      const r = await c.push(bundle, (sent, of) => {
        const now = Date.now();
        if (sent < of && now - last < PROGRESS_MS) return;
        last = now;
        progress({ phase: 'uploading', sent, total: of });
        // The whole bundle is sent: the device now checks the hash, loads and self-tests the model.
        if (sent === of) progress({ phase: 'verifying', sent, total: of });
      });
      progress({ phase: 'done', sent: total, total, modelId: r.model.id });
      return { address: c.name, model: r.model, previousModel: r.previousModel };
    } catch (e) {
      progress({ phase: 'failed', sent: 0, total, error: (e as Error).message });
      throw e;
    }
  }

  async rollbackDevice(address: string): Promise<DevicePushResult> {
    const c = await this.client(address);
    const r = await c.rollback();
    return { address: c.name, model: r.model, previousModel: r.previousModel };
  }

  async getDeviceStatus(address: string): Promise<DeviceStatusInfo> {
    const c = await this.client(address);
    const s: DeviceStatusInfo = await c.status();
    return s;
  }

  async startDeviceWatch(address: string): Promise<void> {
    const c = await this.client(address);
    const existing = this.watches.get(c.name);
    if (existing) return existing.ready;
    const w: Watch = { ready: Promise.resolve(), close: () => {}, closed: Promise.resolve(), stopping: false, buffer: [], timer: null };
    const flush = (): void => {
      w.timer = null;
      if (!w.buffer.length) return;
      const messages = w.buffer;
      w.buffer = [];
      this.opts.emit({ type: 'device-live', address: c.name, messages });
    };
    w.ready = c.watch((m) => {
      w.buffer.push(m as DeviceLiveMessage);
      w.timer ??= setTimeout(flush, LIVE_FLUSH_MS);
    }).then((h) => {
      w.close = h.close;
      w.closed = h.closed.then(() => {
        if (w.timer) clearTimeout(w.timer);
        flush();
        if (this.watches.get(c.name) === w) this.watches.delete(c.name);
        this.opts.emit({ type: 'device-watch-ended', address: c.name, reason: w.stopping ? null : `${c.name}: the live stream closed (the device stopped, restarted or revoked our token)` });
      });
    }, (e: unknown) => {
      this.watches.delete(c.name);
      throw e;
    });
    this.watches.set(c.name, w);
    return w.ready;
  }

  async stopDeviceWatch(address: string): Promise<void> {
    const name = this.canonical(address);
    const w = this.watches.get(name);
    if (!w) return;
    w.stopping = true;
    await w.ready.catch(() => undefined);
    w.close();
    // The socket's close handshake; a dead peer is given up on after a few seconds.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([w.closed, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
    if (this.watches.get(name) === w) this.watches.delete(name);
  }

  async startDeviceReplay(address: string, record: string, options: { speed?: number; seconds?: number } = {}): Promise<void> {
    const c = await this.client(address);
    if (typeof record !== 'string' || !record.trim()) throw new AppError(`${c.name}: name a recording on the device to replay`);
    const speed = options?.speed === undefined ? 1 : Number(options.speed);
    if (!(speed > 0 && speed <= 1000)) throw new AppError(`${c.name}: replay speed must be in (0, 1000], got ${String(options?.speed)}`);
    const seconds = options?.seconds === undefined || options.seconds === null ? undefined : Number(options.seconds);
    if (seconds !== undefined && !(seconds > 0)) throw new AppError(`${c.name}: replay seconds must be positive, got ${String(options?.seconds)}`);
    await c.startMonitoring(record.trim(), speed, seconds);
  }

  async stopDeviceReplay(address: string): Promise<void> {
    await (await this.client(address)).stopMonitoring();
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.watches.keys()].map((a) => this.stopDeviceWatch(a).catch(() => undefined)));
  }
}
