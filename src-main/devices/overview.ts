/**
 * The Devices view in one call: every device the app knows (and, optionally, those found by mDNS), each with
 * its live state when it answers — the active model, latency, monitoring — or why it does not. Devices are
 * asked in parallel with a short timeout so one unplugged Pi does not stall the view.
 */
import { DeviceClient, parseDeviceAddress } from './client.js';
import { discoverDevices, type MdnsOptions } from './discovery.js';
import type { DeviceRow } from '../domain/device.js';
import type { DeviceRegistry } from './registry.js';

export type { DeviceRow } from '../domain/device.js';

/** `only`: the row of that one known device (`host:port`), without asking the others. */
export async function deviceOverview(reg: DeviceRegistry, o: { discover?: boolean; discoverMs?: number; mdns?: MdnsOptions; timeoutMs?: number; only?: string } = {}): Promise<DeviceRow[]> {
  const known = reg.list().filter((d) => o.only === undefined || d.address === o.only);
  const found = o.discover ? await discoverDevices(o.discoverMs ?? 2000, o.mdns) : [];
  const rows: DeviceRow[] = [
    ...known.map((d) => ({ address: d.address, name: d.name, deviceId: d.deviceId, paired: Boolean(d.token), online: false })),
    ...found.filter((f) => !known.some((k) => k.address === f.address)).map((f) => ({ address: f.address, name: f.name, deviceId: f.deviceId, paired: false, discovered: true, online: false })),
  ];
  await Promise.all(rows.map(async (row) => {
    try {
      const c = new DeviceClient(parseDeviceAddress(row.address), reg.get(row.address)?.token);
      const hello = await withTimeout(c.hello(), o.timeoutMs ?? 3000);
      row.online = true;
      row.name = hello.name;
      row.deviceId = hello.deviceId;
      if (row.paired) row.status = await withTimeout(c.status(), o.timeoutMs ?? 3000);
    } catch (e) {
      row.error = (e as Error).message;
    }
  }));
  return rows;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e as Error); });
  });
}
