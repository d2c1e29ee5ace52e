/** Advertise the agent as `_ecgreview._tcp` by mDNS/DNS-SD on one interface (see discovery.ts for the socket choice). */
import { Bonjour } from 'bonjour-service';
import { mdnsSocketOptions, type MdnsOptions } from '../src-main/devices/discovery.js';
import { MDNS_SERVICE_TYPE } from '../src-main/devices/protocol.js';

export function advertise(name: string, port: number, deviceId: string, o: MdnsOptions = {}): { stop: () => Promise<void> } {
  const bonjour = new Bonjour(mdnsSocketOptions(o), () => {});
  bonjour.publish({ name, type: MDNS_SERVICE_TYPE, port, txt: { id: deviceId, protocol: '1' }, disableIPv6: true });
  return {
    stop: () => new Promise<void>((r) => bonjour.unpublishAll(() => bonjour.destroy(() => r()))),
  };
}
