/**
 * The app's list of devices it knows (added by address or discovered) and the tokens it holds for them,
 * in one JSON file (by default `~/.config/ecg-review/devices.json`, or ECG_REVIEW_DEVICES). Tokens are
 * secrets: the file is written with mode 0600.
 */
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface KnownDevice { address: string; deviceId?: string; name?: string; token?: string; tokenId?: string; pairedAt?: string }

export function defaultRegistryPath(): string {
  return process.env.ECG_REVIEW_DEVICES ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ecg-review', 'devices.json');
}

export class DeviceRegistry {
  private constructor(private readonly file: string, private devices: KnownDevice[]) {}

  static async open(file = defaultRegistryPath()): Promise<DeviceRegistry> {
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as { devices?: KnownDevice[] };
      return new DeviceRegistry(file, Array.isArray(raw.devices) ? raw.devices : []);
    } catch {
      return new DeviceRegistry(file, []);
    }
  }

  list(): KnownDevice[] {
    return [...this.devices];
  }

  get(address: string): KnownDevice | undefined {
    return this.devices.find((d) => d.address === address);
  }

  async upsert(d: KnownDevice): Promise<void> {
    this.devices = [...this.devices.filter((x) => x.address !== d.address), { ...this.get(d.address), ...d }];
    await this.save();
  }

  async remove(address: string): Promise<void> {
    this.devices = this.devices.filter((x) => x.address !== address);
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ devices: this.devices }, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
