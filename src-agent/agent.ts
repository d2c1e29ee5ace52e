/**
 * The device agent: an HTTP/WebSocket service that pairs with apps, accepts model pushes (staged, hashed,
 * self-tested, switched atomically), rolls back, and streams live beat labels from a monitored ECG source.
 * It listens only on the host it is given (127.0.0.1 by default).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_PROTOCOL_VERSION, DEFAULT_MAX_UPLOAD_BYTES, SHA256_HEADER,
  type AgentHello, type DeviceStatus, type StreamMessage,
} from '../src-main/devices/protocol.js';
import { DeviceError } from '../src-main/devices/errors.js';
import { Pairing } from './auth.js';
import { Monitor, type MonitorSource } from './monitor.js';
import type { LoadedModel, ModelRuntime } from './runtime.js';
import { ModelStore, PushError } from './store.js';

export interface AgentOptions {
  dataDir: string;
  host?: string;
  port?: number;
  name?: string;
  runtime: ModelRuntime;
  maxUploadBytes?: number;
  /** Where the pairing code is shown (the console by default). */
  announce?: (line: string) => void;
  version?: string;
  /** Folders whose recordings a paired app may ask the agent to replay (besides the data dir and the shipped samples). */
  recordingRoots?: string[];
}

const SAMPLES_DIR = fileURLToPath(new URL('../resources/samples/', import.meta.url));

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export class Agent {
  private server?: Server;
  private wss?: WebSocketServer;
  private store!: ModelStore;
  private pairing!: Pairing;
  private model: LoadedModel | null = null;
  private pushing: { since: number; client: string } | null = null;
  private readonly started = Date.now();
  private deviceId = '';
  readonly monitor: Monitor;
  private readonly subscribers = new Set<WebSocket>();

  constructor(private readonly opts: AgentOptions) {
    this.monitor = new Monitor({
      runtime: opts.runtime,
      model: () => (this.model && this.store.state.current ? { model: this.model, id: this.store.state.current.id } : null),
      emit: (m) => this.broadcast(m),
    });
  }

  get address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('agent is not listening');
    return { host: a.address, port: a.port };
  }

  async start(): Promise<void> {
    const { dataDir } = this.opts;
    await mkdir(dataDir, { recursive: true });
    const idFile = join(dataDir, 'device-id');
    try { this.deviceId = (await readFile(idFile, 'utf8')).trim(); } catch { this.deviceId = randomUUID(); await writeFile(idFile, this.deviceId); }
    const announce = this.opts.announce ?? ((l: string) => console.log(l));
    this.pairing = await Pairing.open(dataDir, (code) => announce(`pairing code: ${code}`));
    this.store = await ModelStore.open(dataDir);
    if (this.store.state.current) {
      try {
        this.model = await this.opts.runtime.load(this.store.modelDir(this.store.state.current));
      } catch (e) {
        announce(`warning: the active model ${this.store.state.current.id} failed to load: ${(e as Error).message}`);
      }
    }
    this.server = createServer((req, res) => { void this.handle(req, res); });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const token = bearer(req) ?? url.searchParams.get('token') ?? undefined;
      if (url.pathname !== '/api/stream' || !this.pairing.check(token)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        this.subscribers.add(ws);
        ws.on('close', () => this.subscribers.delete(ws));
        ws.send(JSON.stringify({ type: 'status', running: this.monitor.running, source: this.monitor.sourceName } satisfies StreamMessage));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    announce(`listening on http://${this.address.host}:${this.address.port}`);
  }

  async stop(): Promise<void> {
    await this.monitor.stop();
    for (const ws of this.subscribers) ws.terminate();
    this.wss?.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
    this.model?.dispose();
  }

  /** A --source given before any model was pushed: started by the first successful push. */
  private pendingSource: MonitorSource | null = null;

  /**
   * Start monitoring a source (the CLI's --source). A fresh device has no model yet: then the source waits for
   * the first push instead of failing (a systemd service would otherwise restart in a loop).
   */
  async startMonitoring(source: MonitorSource): Promise<void> {
    if (!this.model || !this.store.state.current) {
      this.pendingSource = source;
      (this.opts.announce ?? ((l: string) => console.log(l)))(`no model yet: monitoring starts after the first push`);
      return;
    }
    await this.monitor.start(source);
  }

  private broadcast(m: StreamMessage): void {
    const text = JSON.stringify(m);
    for (const ws of this.subscribers) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  hello(): AgentHello {
    return { protocol: AGENT_PROTOCOL_VERSION, deviceId: this.deviceId, name: this.opts.name ?? 'ecg-review-agent', version: this.opts.version ?? '0', paired: this.pairing.paired };
  }

  status(): DeviceStatus {
    const ru = process.resourceUsage();
    const mem = process.memoryUsage();
    return {
      ...this.hello(),
      model: this.store.state.current,
      previousModel: this.store.state.previous,
      backend: this.model?.backend ?? this.opts.runtime.backend,
      uptimeSeconds: (Date.now() - this.started) / 1000,
      cpu: { userSeconds: ru.userCPUTime / 1e6, systemSeconds: ru.systemCPUTime / 1e6, loadAverage: loadavg() },
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      latency: this.monitor.latency(),
      monitoring: { source: this.monitor.sourceName, running: this.monitor.running, beats: this.monitor.beats, speed: this.monitor.speed },
      pushInProgress: this.pushing !== null,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://agent');
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /api/hello') return json(res, 200, this.hello());
      if (route === 'POST /api/pair') {
        const body = await readJson(req);
        const r = await this.pairing.pair(String(body.code ?? ''), String(body.client ?? 'app'));
        if (!r) throw new HttpError(403, 'wrong or expired pairing code');
        return json(res, 200, { ...r, deviceId: this.deviceId });
      }
      const tokenId = this.pairing.check(bearer(req));
      if (!tokenId) throw new HttpError(401, this.pairing.paired ? 'missing or invalid device token' : 'device is not paired; pair with the code shown on its console');
      switch (route) {
        case 'GET /api/status':
          return json(res, 200, this.status());
        case 'POST /api/pair/code':
          this.pairing.newCode();
          return json(res, 202, { message: 'a new pairing code is shown on the device console' });
        case 'GET /api/tokens':
          return json(res, 200, { tokens: this.pairing.list() });
        case 'PUT /api/model':
          return json(res, 200, await this.push(req, tokenId));
        case 'POST /api/model/rollback':
          return json(res, 200, await this.rollback());
        case 'POST /api/monitor': {
          const body = await readJson(req);
          if (typeof body.record !== 'string') throw new HttpError(400, 'monitor needs {"record": "<path on the device>", "speed": 1}');
          const roots = [this.opts.dataDir, SAMPLES_DIR, ...(this.opts.recordingRoots ?? [])].map((r) => resolve(r));
          const wanted = resolve(body.record);
          if (!roots.some((r) => wanted === r || wanted.startsWith(r.endsWith(sep) ? r : r + sep))) {
            throw new HttpError(403, `${body.record} is outside the folders this device replays from (${roots.join(', ')})`);
          }
          const speed = Number(body.speed ?? 1);
          if (!(speed > 0 && speed <= 1000)) throw new HttpError(400, `speed must be in (0, 1000], got ${String(body.speed)}`);
          await this.monitor.start({ kind: 'replay', record: body.record, speed, loop: Boolean(body.loop), seconds: body.seconds === undefined ? undefined : Number(body.seconds) });
          return json(res, 202, { running: true });
        }
        case 'DELETE /api/monitor':
          await this.monitor.stop();
          return json(res, 200, { running: false });
      }
      const revoke = /^DELETE \/api\/tokens\/([\w-]+)$/.exec(route);
      if (revoke) {
        if (!(await this.pairing.revoke(revoke[1]))) throw new HttpError(404, `no token ${revoke[1]}`);
        return json(res, 200, { revoked: revoke[1] });
      }
      throw new HttpError(404, `no such endpoint: ${route}`);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof DeviceError ? (e.status ?? 422) : 500;
      if (!res.headersSent) json(res, status, { error: (e as Error).message });
      else res.destroy();
      if (status >= 400 && req.readable) req.resume();
    }
  }

  private async push(req: IncomingMessage, tokenId: string): Promise<unknown> {
    const max = this.opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    const sha = req.headers[SHA256_HEADER];
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha)) throw new HttpError(400, `a push needs the ${SHA256_HEADER} header with the bundle's SHA-256`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) throw new HttpError(413, `upload of ${declared} bytes exceeds the device's limit of ${max} bytes`);
    if (this.pushing) {
      throw new HttpError(409, `another push is in progress (started ${((Date.now() - this.pushing.since) / 1000).toFixed(1)} s ago); try again when it finishes`);
    }
    this.pushing = { since: Date.now(), client: tokenId };
    let staged: string | null = null;
    let candidate: LoadedModel | null = null;
    try {
      const got = await this.store.receive(req, sha, max);
      staged = got.dir;
      candidate = await this.opts.runtime.load(got.dir).catch((e: Error) => {
        throw new PushError(`the model does not load: ${e.message}`, undefined, 422);
      });
      const test = await candidate.selfTest().catch((e: Error) => {
        throw new PushError(`the self-test could not run the model: ${e.message}`, undefined, 422);
      });
      if (!test.passed) throw new PushError(`self-test failed: ${test.message}`, undefined, 422);
      const state = await this.store.activate(got.dir, {
        name: candidate.name, version: candidate.version, sha256: got.sha256, bytes: got.bytes, selfTestAccuracy: test.accuracy,
      });
      staged = null;
      const old = this.model;
      // The weights are in memory; the staging directory they came from has been renamed into models/.
      this.model = candidate;
      candidate = null;
      if (old && old !== this.model) old.dispose();
      if (this.pendingSource) {
        const source = this.pendingSource;
        this.pendingSource = null;
        void this.monitor.start(source).catch((e: Error) => this.broadcast({ type: 'alert', time: 0, kind: 'source-error', message: e.message }));
      }
      return { model: state.current, previousModel: state.previous, selfTest: test };
    } finally {
      candidate?.dispose();
      if (staged) await this.store.discard(staged);
      this.pushing = null;
    }
  }

  private async rollback(): Promise<unknown> {
    if (this.pushing) throw new HttpError(409, 'a push is in progress; roll back after it finishes');
    const target = this.store.state.previous;
    if (!target) throw new HttpError(409, 'there is no previous model to roll back to');
    // Load first: if the previous model cannot load, nothing changes.
    const next = await this.opts.runtime.load(this.store.modelDir(target)).catch((e: Error) => {
      throw new HttpError(422, `the previous model ${target.id} does not load: ${e.message}`);
    });
    const state = await this.store.rollback().catch((e: unknown) => { next.dispose(); throw e; });
    const old = this.model;
    this.model = next;
    old?.dispose();
    return { model: state.current, previousModel: state.previous };
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v !== 'object' || v === null) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'request body is not a JSON object');
  }
}
