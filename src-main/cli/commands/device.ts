/**
 * `ecg-review device list|add|pair|push|rollback|status|watch|revoke`: the devices view of the command line.
 * A device is named by host:port; tokens obtained by pairing are kept in the device registry file.
 */
import { packModelDir } from '../../devices/bundle.js';
import { DeviceClient, formatDeviceAddress, parseDeviceAddress } from '../../devices/client.js';
import { discoverDevices } from '../../devices/discovery.js';
import { DeviceError } from '../../devices/errors.js';
import { deviceOverview } from '../../devices/overview.js';
import { DeviceRegistry } from '../../devices/registry.js';
import { resolveModelDir } from '../../model/io.js';
import { CliError, intFlag, numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

const SUB = ['list', 'add', 'pair', 'code', 'push', 'rollback', 'status', 'watch', 'monitor', 'revoke'] as const;

async function client(reg: DeviceRegistry, text: string | undefined, needToken = true): Promise<DeviceClient> {
  if (!text) throw new CliError('name the device as host:port');
  const addr = parseDeviceAddress(text);
  const known = reg.get(formatDeviceAddress(addr));
  if (needToken && !known?.token) throw new DeviceError(`not paired with this device; run 'ecg-review device pair ${formatDeviceAddress(addr)} --code <code>' first`, text);
  return new DeviceClient(addr, known?.token);
}

export const command: Command = {
  name: 'device',
  usage: `ecg-review device <${SUB.join('|')}> [host:port] [options]`,
  summary: [
    'Manage Raspberry Pi devices running ecg-review-agent.',
    '  list [--discover] [--timeout ms] [--status]   known devices (and those found by mDNS), with their state',
    '  add <host:port>                         remember a device by address',
    '  pair <host:port> --code <code>         exchange the code shown on the device for a token',
    '  code <host:port>                        have the device show a new pairing code (to pair another app)',
    '  push <host:port> --model <dir|name>    upload a model (SHA-256 checked, self-tested, switched atomically)',
    '  rollback <host:port>                    return to the previous model',
    '  status <host:port> [--json]             active model (id, SHA-256), backend, uptime, CPU, memory, latency',
    '  watch <host:port> [--record R --speed S] [--count N]   stream live beats (optionally start a replay)',
    '  revoke <host:port> [--token-id ID]      revoke a token (default: our own) ',
  ].join('\n'),
  flags: {
    code: { type: 'string', description: 'pairing code shown on the device' },
    model: { type: 'string', description: 'model directory or shipped model name' },
    json: { type: 'boolean', description: 'JSON output' },
    discover: { type: 'boolean', description: 'list: also browse the LAN by mDNS' },
    status: { type: 'boolean', description: 'list: ask every device for its state (online, active model, latency)' },
    timeout: { type: 'string', description: 'list --discover: how long to browse, ms (default 2000)' },
    'mdns-interface': { type: 'string', description: 'list --discover: IPv4 address of the interface to browse on' },
    'mdns-port': { type: 'string', description: 'list --discover: mDNS UDP port (default 5353)' },
    record: { type: 'string', description: 'watch: a recording path on the device to replay' },
    speed: { type: 'string', description: 'watch/monitor: replay speed (1 = real time)' },
    seconds: { type: 'string', description: 'watch/monitor: replay only the first this many seconds' },
    count: { type: 'string', description: 'watch: stop after this many beats' },
    'token-id': { type: 'string', description: 'revoke: the token to revoke' },
    registry: { type: 'string', description: 'device registry file (default ~/.config/ecg-review/devices.json or $ECG_REVIEW_DEVICES)' },
  },
  async run({ positionals, flags }, io) {
    const [sub, target] = positionals;
    if (!SUB.includes(sub as (typeof SUB)[number])) throw new CliError(`device needs one of ${SUB.join(', ')}`);
    const reg = await DeviceRegistry.open(stringFlag(flags, 'registry'));
    const out = async (human: string, data: unknown): Promise<void> => io.out(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    switch (sub) {
      case 'list': {
        const mdns = { interface: stringFlag(flags, 'mdns-interface'), port: intFlag(flags, 'mdns-port') };
        if (flags.status) {
          // Known (and discovered) devices with their live state: what the app's Devices view shows.
          const rows = await deviceOverview(reg, { discover: Boolean(flags.discover), discoverMs: intFlag(flags, 'timeout', 2000), mdns });
          return void (await out(rows.length ? rows.map((d) => `${d.address.padEnd(24)} ${d.paired ? 'paired  ' : 'unpaired'} ${d.online ? 'online ' : 'offline'} ${(d.name ?? '').padEnd(16)} ${d.status?.model?.id ?? d.error ?? ''}`).join('\n') : 'no devices', { devices: rows }));
        }
        const known = reg.list().map((d) => ({ address: d.address, deviceId: d.deviceId, name: d.name, paired: Boolean(d.token) }));
        const found = flags.discover ? await discoverDevices(intFlag(flags, 'timeout', 2000), mdns) : [];
        const all = [...known, ...found.filter((f) => !known.some((k) => k.address === f.address)).map((f) => ({ ...f, paired: false, discovered: true }))];
        return void (await out(all.length ? all.map((d) => `${d.address.padEnd(24)} ${d.paired ? 'paired  ' : 'unpaired'} ${d.name ?? ''}`).join('\n') : 'no devices (add one with `device add host:port` or `device list --discover`)', { devices: all }));
      }
      case 'add': {
        const c = await client(reg, target, false);
        const hello = await c.hello();
        await reg.upsert({ address: c.name, deviceId: hello.deviceId, name: hello.name });
        return void (await out(`added ${c.name} (${hello.name}, ${hello.paired ? 'paired with another app' : 'unpaired'})`, hello));
      }
      case 'pair': {
        const code = stringFlag(flags, 'code');
        if (!code) throw new CliError('pair needs --code <the code shown on the device>');
        const c = await client(reg, target, false);
        const r = await c.pair(code, 'ecg-review-cli');
        await reg.upsert({ address: c.name, deviceId: r.deviceId, token: r.token, tokenId: r.tokenId, pairedAt: new Date().toISOString() });
        return void (await out(`paired with ${c.name} (device ${r.deviceId})`, { device: c.name, deviceId: r.deviceId, tokenId: r.tokenId }));
      }
      case 'code': {
        const c = await client(reg, target);
        return void (await out(`${c.name}: ${(await c.requestPairingCode()).message}`, { device: c.name, requested: true }));
      }
      case 'push': {
        const modelArg = stringFlag(flags, 'model');
        if (!modelArg) throw new CliError('push needs --model <dir or shipped model name>');
        const c = await client(reg, target);
        const bundle = await packModelDir(resolveModelDir(modelArg));
        const r = await c.push(bundle, flags.json ? undefined : (s, t) => io.progress(`pushing ${modelArg}: ${Math.round((100 * s) / t)}% of ${t} bytes`));
        return void (await out(`\n${c.name} now runs ${r.model.id} (sha256 ${r.model.sha256}); previous: ${r.previousModel?.id ?? 'none'}`, r));
      }
      case 'rollback': {
        const c = await client(reg, target);
        const r = await c.rollback();
        return void (await out(`${c.name} rolled back to ${r.model.id}`, r));
      }
      case 'status': {
        const c = await client(reg, target);
        const s = await c.status();
        const m = s.model;
        return void (await out([
          `${c.name}  ${s.name}  (device ${s.deviceId}, agent ${s.version})`,
          `model:    ${m ? `${m.id}  sha256 ${m.sha256}  self-test ${m.selfTestAccuracy !== null ? (100 * m.selfTestAccuracy).toFixed(1) + '%' : 'n/a'}` : 'none'}`,
          `previous: ${s.previousModel?.id ?? 'none'}`,
          `backend:  ${s.backend}   uptime ${s.uptimeSeconds.toFixed(0)} s   rss ${(s.memory.rssBytes / 1e6).toFixed(0)} MB   load ${s.cpu.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
          `latency:  p50 ${s.latency.p50?.toFixed(2) ?? '-'} ms   p95 ${s.latency.p95?.toFixed(2) ?? '-'} ms   (${s.latency.count} beats)`,
          `monitor:  ${s.monitoring.running ? `running ${s.monitoring.source} at ${s.monitoring.speed}x, ${s.monitoring.beats} beats` : 'idle'}`,
        ].join('\n'), s));
      }
      case 'watch': {
        const c = await client(reg, target);
        const max = intFlag(flags, 'count');
        let n = 0;
        let resolveDone!: () => void;
        const done = new Promise<void>((r) => (resolveDone = r));
        const w = await c.watch((m) => {
          if (m.type === 'beat') {
            n++;
            void io.out(flags.json ? `${JSON.stringify(m)}\n` : `${m.time.toFixed(3).padStart(10)} s  ${m.label}  ${m.latencyMs.toFixed(1)} ms\n`);
            if (max && n >= max) resolveDone();
          } else if (m.type === 'alert') {
            void io.out(flags.json ? `${JSON.stringify(m)}\n` : `ALERT ${m.kind}: ${m.message}\n`);
          } else if (m.type === 'end') {
            resolveDone();
          }
        });
        const record = stringFlag(flags, 'record');
        if (record) await c.startMonitoring(record, numberFlag(flags, 'speed', 1), numberFlag(flags, 'seconds'));
        await Promise.race([done, w.closed]);
        w.close();
        return;
      }
      case 'monitor': {
        const record = stringFlag(flags, 'record');
        if (!record) throw new CliError('monitor needs --record <path on the device>');
        const c = await client(reg, target);
        return void (await out(`monitoring ${record}`, await c.startMonitoring(record, numberFlag(flags, 'speed', 1), numberFlag(flags, 'seconds'))));
      }
      case 'revoke': {
        const c = await client(reg, target);
        const known = reg.get(c.name)!;
        const id = stringFlag(flags, 'token-id') ?? known.tokenId;
        if (!id) throw new CliError('revoke needs --token-id');
        const r = await c.revoke(id);
        if (id === known.tokenId) await reg.upsert({ ...known, token: undefined, tokenId: undefined });
        return void (await out(`revoked token ${r.revoked} on ${c.name}`, r));
      }
    }
  },
};
