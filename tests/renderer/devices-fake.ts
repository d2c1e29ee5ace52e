/**
 * The fake API of the component tests plus device methods over an in-memory device (what the service would
 * answer), with an event channel the test drives: push progress and live beats are emitted by the test, so it
 * can look at the view between two events. Errors carry the messages the real service gives.
 */
import type { ApiEvent, DeviceModelInfo, DevicePushResult, DeviceStatusInfo, DeviceSummary, EcgApi } from '../../src-main/api/contract.js';
import { ApiError } from '../../src-main/api/contract.js';
import type { Transport } from '../../src-renderer/lib/api.js';
import { fakeTransport } from './fake-api.js';

export const PI = '127.0.0.1:8765';
export const DEAD = '10.0.0.9:8765';
export const CODE = '424242';

export const model = (name: string, sha: string): DeviceModelInfo => ({
  id: `${name}-${sha.slice(0, 8)}`, name, version: '1', sha256: sha, bytes: 8257, activatedAt: '2026-01-01T00:00:00Z', selfTestAccuracy: 0.962,
});
export const PRUNED = model('student-pruned', 'b'.repeat(64));
export const INT8 = model('student-int8', 'a1b2c3d4e5f6'.padEnd(64, '0'));

function status(current: DeviceModelInfo | null, previous: DeviceModelInfo | null): DeviceStatusInfo {
  return {
    protocol: 1, deviceId: 'dev-1', name: 'bedside-pi', version: '0.1.0', paired: true, model: current, previousModel: previous,
    backend: 'wasm', uptimeSeconds: 3725, cpu: { userSeconds: 12.5, systemSeconds: 1.5, loadAverage: [0.42, 0.3, 0.2] },
    memory: { rssBytes: 180e6, heapUsedBytes: 60e6 }, latency: { p50: 3.2, p95: 11.7, count: 1003 },
    monitoring: { source: null, running: false, beats: 0, speed: 1 }, pushInProgress: false,
  };
}

const err = (message: string, name = 'DeviceError'): ApiError => new ApiError({ name, message, expected: true });

export interface FakeDevices {
  transport: Transport;
  calls: string[];
  emit(e: ApiEvent): void;
  /** Let the pending push finish (the test emits progress before). */
  finishPush(): void;
}

export function fakeDevicesTransport(): FakeDevices {
  const base = fakeTransport().transport;
  const calls: string[] = [];
  const listeners = new Set<(e: ApiEvent) => void>();
  let paired = false;
  let current: DeviceModelInfo | null = PRUNED;
  let previous: DeviceModelInfo | null = null;
  let release: () => void = () => {};
  const rows = (): DeviceSummary[] => [
    { address: PI, name: 'bedside-pi', deviceId: 'dev-1', paired, online: true, ...(paired ? { status: status(current, previous) } : {}) },
    { address: DEAD, name: 'ward-pi', paired: true, online: false, error: `${DEAD}: connection refused (is the agent running?)` },
  ];
  const row = (a: string): DeviceSummary => rows().find((r) => r.address === a)!;
  const needPaired = (a: string): void => {
    if (a === DEAD) throw err(`${DEAD}: connection refused (is the agent running?)`);
    if (!paired) throw err(`${a}: not paired with this device; pair it with the code shown on its console first`, 'AppError');
  };
  const devices: Partial<EcgApi> = {
    async listModels() {
      const card = {};
      return [
        { id: 'student-int8', name: 'Student (int8)', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card },
        { id: 'student-pruned', name: 'Student (pruned)', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card },
        { id: 'rr-morphology-baseline', name: 'Baseline', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card },
      ];
    },
    async listDevices(o) { calls.push(`list ${o?.discover ? 'discover' : ''}`.trim()); return rows(); },
    async addDevice(a) { calls.push(`add ${a}`); return row(a); },
    async pairDevice(a, code) {
      calls.push(`pair ${a} ${code}`);
      if (code !== CODE) throw err(`${a}: wrong or expired pairing code (HTTP 403)`);
      paired = true;
      return row(a);
    },
    async forgetDevice(a) { calls.push(`forget ${a}`); },
    async getDeviceStatus(a) { needPaired(a); return status(current, previous); },
    async pushDeviceModel(a, m): Promise<DevicePushResult> {
      calls.push(`push ${a} ${m}`);
      needPaired(a);
      await new Promise<void>((r) => (release = r));
      previous = current;
      current = INT8;
      return { address: a, model: current, previousModel: previous };
    },
    async rollbackDevice(a) {
      calls.push(`rollback ${a}`);
      needPaired(a);
      if (!previous) throw err(`${a}: there is no previous model to roll back to (HTTP 409)`);
      [current, previous] = [previous, current];
      return { address: a, model: current!, previousModel: previous };
    },
    async startDeviceWatch(a) { calls.push(`watch ${a}`); needPaired(a); },
    async stopDeviceWatch(a) { calls.push(`unwatch ${a}`); },
    async startDeviceReplay(a, record, o) { calls.push(`replay ${a} ${record} ${o?.speed}`); needPaired(a); },
    async stopDeviceReplay(a) { calls.push(`stop-replay ${a}`); },
  };
  const transport: Transport = {
    api: { ...base.api, ...devices } as EcgApi,
    kind: 'browser',
    onEvent: (l) => { listeners.add(l); return () => listeners.delete(l); },
  };
  return { transport, calls, emit: (e) => { for (const l of listeners) l(e); }, finishPush: () => release() };
}
