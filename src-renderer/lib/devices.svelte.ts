/**
 * State of the Devices view (Svelte 5 runes), kept apart from the app store: the device list, push progress and
 * the live stream of watched devices. One instance per AppState (`devicesOf`), so switching tabs keeps a watch
 * and its beats. Every failure becomes an error notice that names the device.
 */
import type { ApiEvent, DeviceLiveMessage, DevicePushProgress, DeviceStatusInfo, DeviceSummary } from '../../src-main/api/contract.js';
import type { AppState } from './store.svelte.js';

export interface LiveBeat { sample: number; time: number; label: string; latencyMs: number }
export interface LiveAlert { time: number; kind: string; message: string }

export interface LiveView {
  watching: boolean;
  /** Most recent beats, oldest first (at most MAX_BEATS). */
  beats: LiveBeat[];
  /** Beats received since the watch started. */
  total: number;
  bpm: number | null;
  /** Heart-rate trend, oldest first (at most MAX_RATES). */
  rates: { time: number; bpm: number }[];
  alerts: LiveAlert[];
  running: boolean;
  source: string | null;
  /** Why the stream stopped on its own (device gone, token revoked), else null. */
  lost: string | null;
}

const MAX_BEATS = 240;
const MAX_RATES = 600;
const MAX_ALERTS = 20;

const emptyLive = (): LiveView => ({ watching: false, beats: [], total: 0, bpm: null, rates: [], alerts: [], running: false, source: null, lost: null });

/** `host:port` of a message when it starts with it, so a notice does not name the device twice. */
function naming(address: string, message: string): string {
  return message.includes(address) ? message : `${address}: ${message}`;
}

export class DevicesState {
  rows = $state.raw<DeviceSummary[]>([]);
  loading = $state(false);
  discovering = $state(false);
  selected = $state<string | null>(null);
  /** Last push progress per device. */
  pushes = $state.raw<Record<string, DevicePushProgress>>({});
  live = $state.raw<Record<string, LiveView>>({});
  /** Action in progress per device ('pairing', 'pushing'…), to disable its buttons. */
  busy = $state.raw<Record<string, string>>({});
  private loaded = false;

  constructor(private readonly app: AppState) {
    app.transport.onEvent((e) => this.onEvent(e));
  }

  get row(): DeviceSummary | null {
    return this.rows.find((r) => r.address === this.selected) ?? null;
  }

  liveOf(address: string): LiveView {
    return this.live[address] ?? emptyLive();
  }

  private setBusy(address: string, what: string | null): void {
    const next = { ...this.busy };
    if (what) next[address] = what; else delete next[address];
    this.busy = next;
  }

  private fail(action: string, address: string, e: unknown): void {
    this.app.notify('error', `${action} failed — ${naming(address, (e as Error).message)}`);
  }

  /** Run one device action with its busy flag; failures become notices naming the device. */
  private async act<T>(address: string, what: string, action: string, fn: () => Promise<T>): Promise<T | null> {
    this.setBusy(address, what);
    try {
      return await fn();
    } catch (e) {
      this.fail(action, address, e);
      return null;
    } finally {
      this.setBusy(address, null);
    }
  }

  private upsertRow(row: DeviceSummary): void {
    this.rows = this.rows.some((r) => r.address === row.address) ? this.rows.map((r) => (r.address === row.address ? row : r)) : [...this.rows, row];
  }

  /** Load the list once (on first showing the view). */
  async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    await this.refresh();
  }

  async refresh(discover = false): Promise<void> {
    if (discover) this.discovering = true; else this.loading = true;
    try {
      const rows = await this.app.api.listDevices(discover ? { discover: true } : {});
      // Devices found by an earlier search stay listed until the next one.
      const keep = discover ? [] : this.rows.filter((r) => r.discovered && !rows.some((x) => x.address === r.address));
      this.rows = [...rows, ...keep];
      if (!this.selected || !this.rows.some((r) => r.address === this.selected)) this.selected = (this.rows.find((r) => r.paired) ?? this.rows[0])?.address ?? null;
    } catch (e) {
      this.app.notify('error', `Cannot list devices: ${(e as Error).message}`);
    } finally {
      this.loading = false;
      this.discovering = false;
    }
  }

  async add(address: string): Promise<boolean> {
    const a = address.trim();
    const row = await this.act(a, 'adding', `Adding ${a}`, () => this.app.api.addDevice(a));
    if (!row) return false;
    this.upsertRow(row);
    this.selected = row.address;
    return true;
  }

  async pair(address: string, code: string): Promise<boolean> {
    const row = await this.act(address, 'pairing', 'Pairing', () => this.app.api.pairDevice(address, code.trim()));
    if (!row) return false;
    this.upsertRow(row);
    this.app.notify('info', `Paired with ${row.name ?? row.address} (${row.address})`);
    return true;
  }

  async forget(address: string): Promise<void> {
    const ok = await this.act(address, 'forgetting', 'Forgetting', async () => { await this.app.api.forgetDevice(address); return true; });
    if (!ok) return;
    this.rows = this.rows.filter((r) => r.address !== address);
    const live = { ...this.live };
    delete live[address];
    this.live = live;
    if (this.selected === address) this.selected = this.rows[0]?.address ?? null;
  }

  /** Re-read one device's status (after a push or rollback, or periodically while shown). */
  async status(address: string, quiet = false): Promise<DeviceStatusInfo | null> {
    const row = this.rows.find((r) => r.address === address);
    try {
      const status = await this.app.api.getDeviceStatus(address);
      if (row) this.upsertRow({ ...row, online: true, status, error: undefined, name: status.name });
      return status;
    } catch (e) {
      if (row) this.upsertRow({ ...row, online: false, error: (e as Error).message });
      if (!quiet) this.fail('Reading the status', address, e);
      return null;
    }
  }

  /** Push a shipped model (id), a model directory, or an adapted run's own model (`{ runId }`). */
  async push(address: string, model: string | { runId: string }): Promise<boolean> {
    const name = typeof model === 'string' ? model : `run ${model.runId}`;
    this.pushes = { ...this.pushes, [address]: { address, model: name, phase: 'packing', sent: 0, total: 0 } };
    const r = await this.act(address, 'pushing', `Pushing ${name}`, () => this.app.api.pushDeviceModel(address, model));
    await this.status(address, true);
    if (r) this.app.notify('info', `${address} now runs ${r.model.id}`);
    return Boolean(r);
  }

  async rollback(address: string): Promise<boolean> {
    const r = await this.act(address, 'rolling back', 'Rollback', () => this.app.api.rollbackDevice(address));
    await this.status(address, true);
    if (r) this.app.notify('info', `${address} rolled back to ${r.model.id}`);
    return Boolean(r);
  }

  async watch(address: string): Promise<void> {
    // Cleared before subscribing: the first beats may arrive before the call returns.
    this.patchLive(address, { ...emptyLive(), watching: true, running: this.rows.find((r) => r.address === address)?.status?.monitoring.running ?? false });
    const ok = await this.act(address, 'connecting', 'Watching', async () => { await this.app.api.startDeviceWatch(address); return true; });
    if (!ok) this.patchLive(address, { watching: false });
  }

  async unwatch(address: string): Promise<void> {
    await this.app.api.stopDeviceWatch(address).catch((e) => this.fail('Stopping the watch', address, e));
    this.patchLive(address, { watching: false });
  }

  async replay(address: string, record: string, speed: number, seconds?: number): Promise<void> {
    await this.act(address, 'starting replay', `Replaying ${record}`, async () => { await this.app.api.startDeviceReplay(address, record, { speed, ...(seconds ? { seconds } : {}) }); return true; });
  }

  async stopReplay(address: string): Promise<void> {
    await this.act(address, 'stopping replay', 'Stopping the replay', async () => { await this.app.api.stopDeviceReplay(address); return true; });
  }

  private patchLive(address: string, patch: Partial<LiveView>): void {
    this.live = { ...this.live, [address]: { ...this.liveOf(address), ...patch } };
  }

  private onEvent(e: ApiEvent): void {
    if (e.type === 'device-push') {
      this.pushes = { ...this.pushes, [e.progress.address]: e.progress };
    } else if (e.type === 'device-live') {
      this.addLive(e.address, e.messages);
    } else if (e.type === 'device-watch-ended') {
      this.patchLive(e.address, { watching: false, running: false, lost: e.reason });
      if (e.reason) this.app.notify('warning', naming(e.address, e.reason));
    }
  }

  private addLive(address: string, messages: DeviceLiveMessage[]): void {
    const v = this.liveOf(address);
    const beats: LiveBeat[] = [];
    const rates: { time: number; bpm: number }[] = [];
    const alerts: LiveAlert[] = [];
    let { bpm, running, source, total } = v;
    for (const m of messages) {
      if (m.type === 'beat') { beats.push({ sample: m.sample, time: m.time, label: m.label, latencyMs: m.latencyMs }); total++; }
      else if (m.type === 'rate') { rates.push({ time: m.time, bpm: m.bpm }); bpm = m.bpm; }
      else if (m.type === 'alert') alerts.push({ time: m.time, kind: m.kind, message: m.message });
      else if (m.type === 'status') { running = m.running; source = m.source; }
      else if (m.type === 'end') running = false;
    }
    for (const a of alerts) if (a.kind === 'source-error') this.app.notify('error', naming(address, a.message));
    this.patchLive(address, {
      watching: true, running, source, total, bpm,
      beats: [...v.beats, ...beats].slice(-MAX_BEATS),
      rates: [...v.rates, ...rates].slice(-MAX_RATES),
      alerts: [...v.alerts, ...alerts].slice(-MAX_ALERTS),
    });
  }
}

const states = new WeakMap<AppState, DevicesState>();

/** The Devices state of an app (created on first use, kept across tab switches). */
export function devicesOf(app: AppState): DevicesState {
  let s = states.get(app);
  if (!s) { s = new DevicesState(app); states.set(app, s); }
  return s;
}
