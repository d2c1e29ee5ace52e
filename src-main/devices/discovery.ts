/**
 * Finding agents on the LAN by DNS-SD (`_ecgreview._tcp`) over mDNS. Multicast is bound to the group address
 * on one interface, so discovery adds no listener on a unicast address.
 */
import { Bonjour } from 'bonjour-service';
import { MDNS_SERVICE_TYPE } from './protocol.js';

export interface DiscoveredDevice { name: string; address: string; host: string; port: number; deviceId?: string }

export interface MdnsOptions {
  /** IPv4 address of the interface to use (default: the system's choice). */
  interface?: string;
  /** mDNS port (5353 normally; tests use another). */
  port?: number;
}

export function mdnsSocketOptions(o: MdnsOptions): Record<string, unknown> {
  return { ...(o.interface ? { interface: o.interface } : {}), bind: '224.0.0.251', ...(o.port ? { port: o.port } : {}), loopback: true };
}

export async function discoverDevices(timeoutMs = 2000, o: MdnsOptions = {}): Promise<DiscoveredDevice[]> {
  const bonjour = new Bonjour(mdnsSocketOptions(o), () => {});
  const found = new Map<string, DiscoveredDevice>();
  try {
    const browser = bonjour.find({ type: MDNS_SERVICE_TYPE }, (s) => {
      const host = s.addresses?.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? s.referer?.address ?? s.host;
      const d: DiscoveredDevice = { name: s.name, host, port: s.port, address: `${host}:${s.port}`, deviceId: (s.txt as Record<string, string> | undefined)?.id };
      found.set(d.address, d);
    });
    await new Promise((r) => setTimeout(r, timeoutMs));
    browser.stop();
  } finally {
    await new Promise<void>((r) => bonjour.destroy(() => r()));
  }
  return [...found.values()];
}
