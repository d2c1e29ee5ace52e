/**
 * Helpers for the process-level device tests: spawn the real agent (`src-agent/bin.mjs`) and the real CLI
 * (`src-main/cli/bin.mjs device …`), optionally inside a network namespace, read what they print, and list the
 * sockets a process holds from /proc (so a test can assert what the agent listens on).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DeviceClient } from '../../src-main/devices/client.js';
import type { StreamMessage } from '../../src-main/devices/protocol.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_BIN = fileURLToPath(new URL('../../src-agent/bin.mjs', import.meta.url));
const CLI_BIN = fileURLToPath(new URL('../../src-main/cli/bin.mjs', import.meta.url));

export interface AgentProcess {
  proc: ChildProcess;
  pid: number;
  port: number;
  address: string;
  dataDir: string;
  /** Every pairing code printed so far, oldest first. */
  codes: string[];
  output: () => string;
  /** Resolves with the next line matching `re` (or one already printed after `from`). */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

const running = new Set<AgentProcess>();

export async function startAgentProcess(o: { dataDir: string; args?: string[]; netns?: string; timeoutMs?: number }): Promise<AgentProcess> {
  const argv = [AGENT_BIN, '--port', '0', '--data-dir', o.dataDir, ...(o.args ?? [])];
  const cmd = o.netns ? ['ip', 'netns', 'exec', o.netns, process.execPath, ...argv] : [process.execPath, ...argv];
  const proc = spawn(cmd[0], cmd.slice(1), { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const codes: string[] = [];
  const onText = (t: string): void => {
    out += t;
    for (const m of t.matchAll(/pairing code: (\d{6})/g)) codes.push(m[1]);
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  };
  proc.stdout!.setEncoding('utf8').on('data', onText);
  proc.stderr!.setEncoding('utf8').on('data', onText);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const waitFor = (re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> => {
    const m = re.exec(out);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`agent did not print ${re} within ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
      waiters.push({ re, resolve: (x) => { clearTimeout(t); resolve(x); } });
      void exited.then((code) => { clearTimeout(t); reject(new Error(`agent exited (${code}) before printing ${re}; output:\n${out}`)); });
    });
  };
  const m = await waitFor(/listening on http:\/\/([\d.]+):(\d+)/, o.timeoutMs ?? 90_000);
  const port = Number(m[2]);
  const agent: AgentProcess = {
    proc, pid: proc.pid!, port, address: `127.0.0.1:${port}`, dataDir: o.dataDir, codes, output: () => out, waitFor,
    kill: async (signal = 'SIGTERM') => {
      running.delete(agent);
      if (proc.exitCode === null && proc.signalCode === null) { proc.kill(signal); await exited; }
    },
  };
  running.add(agent);
  return agent;
}

/** Stop every agent still running (afterAll). */
export async function stopAllAgents(): Promise<void> {
  await Promise.all([...running].map((a) => a.kill('SIGKILL')));
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Run `ecg-review <args…>`; never throws on a non-zero exit (the test asserts on it). */
export function runCli(args: string[], o: { netns?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const cmd = o.netns ? ['ip', 'netns', 'exec', o.netns, process.execPath, CLI_BIN, ...args] : [process.execPath, CLI_BIN, ...args];
  return new Promise((resolve) => {
    execFile(cmd[0], cmd.slice(1), { cwd: REPO, timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `runCli` that expects success and parses `--json` output. */
export async function cliJson<T>(args: string[], o: { netns?: string } = {}): Promise<T> {
  const r = await runCli([...args, '--json'], o);
  if (r.code !== 0) throw new Error(`ecg-review ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

export interface SocketEntry { proto: 'tcp' | 'tcp6' | 'udp' | 'udp6'; local: string; state: string }

/** Decode the hex address of /proc/net/{tcp,udp}[6]: "0100007F:1F90" → "127.0.0.1:8080". */
function decodeAddress(hex: string): string {
  const [a, p] = hex.split(':');
  const port = parseInt(p, 16);
  if (a.length === 8) {
    const b = Buffer.from(a, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}:${port}`;
  }
  // IPv6: four little-endian 32-bit words.
  const words = a.match(/.{8}/g)!.map((w) => Buffer.from(w, 'hex').reverse().toString('hex'));
  const groups = words.join('').match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  return `[${groups.join(':')}]:${port}`;
}

const TCP_STATES: Record<string, string> = { '01': 'ESTABLISHED', '0A': 'LISTEN', '07': 'CLOSE', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT' };

/**
 * Every inet socket the process holds, from its file descriptors (socket:[inode]) matched against the socket
 * tables of its own network namespace (/proc/<pid>/net/…).
 */
export async function socketsOf(pid: number): Promise<SocketEntry[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* fd closed meanwhile */ }
  }
  const out: SocketEntry[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text = '';
    try { text = await readFile(`/proc/${pid}/net/${proto}`, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      out.push({ proto, local: decodeAddress(f[1]), state: proto.startsWith('tcp') ? (TCP_STATES[f[3]] ?? f[3]) : 'UNCONN' });
    }
  }
  return out;
}

/** Sockets that accept traffic from elsewhere: TCP listeners and bound UDP sockets. */
export async function listeningSockets(pid: number): Promise<string[]> {
  return (await socketsOf(pid))
    .filter((s) => s.state === 'LISTEN' || s.state === 'UNCONN')
    .map((s) => `${s.proto.replace('6', '')} ${s.local}`)
    .sort();
}

export type StreamedBeat = Extract<StreamMessage, { type: 'beat' }>;

/**
 * Every beat a device streams while it replays `record` at `speed` (the first `seconds`, or all of it): watch first,
 * then start, until the device says the source ended. `beforeStart` runs just before the replay starts (timing).
 */
export async function replayBeats(c: DeviceClient, record: string, speed: number, seconds?: number, beforeStart?: () => void): Promise<StreamedBeat[]> {
  const beats: StreamedBeat[] = [];
  let done!: () => void;
  const ended = new Promise<void>((r) => (done = r));
  const w = await c.watch((m) => { if (m.type === 'beat') beats.push(m); else if (m.type === 'end') done(); });
  beforeStart?.();
  await c.startMonitoring(record, speed, seconds);
  await ended;
  w.close();
  return beats;
}
