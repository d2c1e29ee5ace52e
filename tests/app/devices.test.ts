/**
 * The Devices part of the API against a real agent process on 127.0.0.1 (`src-agent/bin.mjs`), through the
 * ReviewService directly and through the browser-mode HTTP bridge (+ its event WebSocket): errors naming the
 * device (unreachable, wrong code, not paired, a model outside the data directory, a refused self-test), then
 * pair → push with progress events → status → a second push → rollback → a live watch of MIT-BIH 208 replayed by
 * the agent → forget (which revokes the token on the device); and mDNS discovery inside a network namespace.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiClient, httpCall, type Outcome } from '../../src-main/api/client.js';
import { ipcChannel, type ApiEvent, type DeviceLiveMessage, type DevicePushProgress, type DeviceSummary, type EcgApi } from '../../src-main/api/contract.js';
import { registerIpc, trustedSender, type IpcEventLike, type IpcMainLike } from '../../src-main/app/ipc.js';
import { packModelDir, sha256 } from '../../src-main/devices/bundle.js';
import { DeviceClient } from '../../src-main/devices/client.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { ReviewService } from '../../src-main/services/review-service.js';
import { createNetns } from '../devices/netns.js';
import { REPO, startAgentProcess, stopAllAgents, type AgentProcess } from '../devices/processes.js';
import { makeService, MODELS_DIR, waitJob } from './helpers.js';
import { untrainedModelsDir } from './model-fixture.js';

const SAMPLE_208 = join(REPO, 'resources/samples/208');

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The Electron transport without Electron, as tests/app/transports.test.ts drives it (structured clone included). */
function fakeIpc(service: ReviewService): { api: EcgApi; sent: ApiEvent[] } {
  const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = { handle: (c, l) => { handlers.set(c, l); }, removeHandler: (c) => { handlers.delete(c); } };
  const frame = { url: 'file:///app/out/renderer/index.html' };
  const sent: ApiEvent[] = [];
  registerIpc(ipcMain, service, trustedSender(['file:///app/out/renderer/'], () => 7), () => ({ id: 7, send: (_c, e) => sent.push(structuredClone(e) as ApiEvent), isDestroyed: () => false }));
  const event: IpcEventLike = { senderFrame: frame, sender: { id: 7, mainFrame: frame } };
  const api = createApiClient(async (m, args) => structuredClone(await handlers.get(ipcChannel(m))!(event, ...args)) as Outcome);
  return { api, sent };
}

/** Wait until `pred` holds for the events seen so far. */
async function until<T>(events: T[], pred: (e: T[]) => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!pred(events)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A device row without the figures that change between two calls (uptime, CPU, memory). */
function stable(rows: DeviceSummary[]): unknown {
  return rows.map((r) => ({ ...r, status: r.status ? { ...r.status, uptimeSeconds: 0, cpu: null, memory: null } : undefined }));
}

describe('Devices API with a real agent on 127.0.0.1', () => {
  let work: string;
  let agent: AgentProcess;
  let service: ReviewService;
  let server: RunningServer;
  let http: EcgApi;
  let ipc: ReturnType<typeof fakeIpc>;
  let ws: WebSocket;
  const serviceEvents: ApiEvent[] = [];
  const wsEvents: ApiEvent[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecgr-app-devices-'));
    agent = await startAgentProcess({ dataDir: join(work, 'agent'), args: ['--name', 'bedside-pi'] });
    // Browser mode: model directories may only come from the data directory (here the test's own).
    service = makeService({ dataDir: work, devices: { registryPath: join(work, 'devices.json') } });
    service.onEvent((e) => serviceEvents.push(e));
    server = await startServer({ service });
    http = createApiClient(httpCall(`http://127.0.0.1:${server.port}`, server.token));
    ipc = fakeIpc(service);
    ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    ws.on('message', (m) => wsEvents.push(JSON.parse(String(m)) as ApiEvent));
    await new Promise((r) => ws.on('open', r));
  });
  afterAll(async () => {
    ws?.close();
    await server?.close();
    await service?.dispose();
    await stopAllAgents();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('names the device in every error, the same over both transports', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const e1 = await ipc.api.addDevice(dead).catch((e: Error) => e);
    const e2 = await http.addDevice(dead).catch((e: Error) => e);
    expect((e1 as Error).message).toBe(`${dead}: connection refused (is the agent running?)`);
    expect((e2 as Error).message).toBe((e1 as Error).message);
    expect(((await ipc.api.pairDevice(agent.address, 'abc').catch((e: Error) => e)) as Error).message)
      .toBe(((await http.pairDevice(agent.address, 'abc').catch((e: Error) => e)) as Error).message);

    expect(((await http.addDevice('pi.local').catch((e: Error) => e)) as Error).message).toMatch(/pi\.local: is not a device address; expected host:port/);
    expect(((await http.getDeviceStatus(agent.address).catch((e: Error) => e)) as Error).message).toBe(`${agent.address}: not paired with this device; pair it with the code shown on its console first`);
    const wrong = agent.codes.at(-1) === '000000' ? '111111' : '000000';
    expect(((await http.pairDevice(agent.address, wrong).catch((e: Error) => e)) as Error).message).toBe(`${agent.address}: wrong or expired pairing code (HTTP 403)`);
    // A failed pairing adds nothing to the registry.
    expect(await http.listDevices()).toEqual([]);
  });

  it('adds, pairs, pushes with progress, reports status, rolls back, refuses bad models', async () => {
    const added = await http.addDevice(agent.address);
    expect(added).toMatchObject({ address: agent.address, name: 'bedside-pi', paired: false, online: true });

    const paired = await http.pairDevice(agent.address, agent.codes.at(-1)!);
    expect(paired).toMatchObject({ address: agent.address, name: 'bedside-pi', paired: true, online: true });
    expect(paired.status).toMatchObject({ model: null, paired: true, pushInProgress: false });
    // The token is in the registry file, which is the CLI's (mode 0600).
    const reg = JSON.parse(await readFile(join(work, 'devices.json'), 'utf8')) as { devices: { address: string; token?: string }[] };
    expect(reg.devices.find((d) => d.address === agent.address)?.token).toMatch(/^[\w-]{20,}$/);
    expect(stable(await http.listDevices())).toEqual(stable(await ipc.api.listDevices()));

    // Push the smallest shipped model over HTTP; its progress arrives on the event WebSocket.
    const int8 = await http.pushDeviceModel(agent.address, 'student-int8');
    expect(int8.model.sha256).toBe(sha256(await packModelDir(join(MODELS_DIR, 'student-int8'))));
    expect(int8.model.id).toMatch(new RegExp(`-${int8.model.sha256.slice(0, 8)}`));
    expect(int8.previousModel).toBeNull();
    const progress = (events: ApiEvent[]): DevicePushProgress[] => events.flatMap((e) => (e.type === 'device-push' && e.progress.address === agent.address ? [e.progress] : []));
    await until(wsEvents, (ev) => progress(ev).some((p) => p.phase === 'done'), 'the done event on the WebSocket');
    const phases = progress(wsEvents).map((p) => p.phase);
    expect(phases[0]).toBe('packing');
    expect(phases).toContain('verifying');
    expect(phases.indexOf('uploading')).toBeLessThan(phases.indexOf('verifying'));
    const uploads = progress(wsEvents).filter((p) => p.phase === 'uploading');
    expect(uploads.at(-1)).toMatchObject({ sent: uploads.at(-1)!.total });
    expect(progress(wsEvents).at(-1)).toMatchObject({ phase: 'done', modelId: int8.model.id, model: 'student-int8' });
    expect(progress(serviceEvents)).toEqual(progress(wsEvents));
    expect(progress(ipc.sent)).toEqual(progress(wsEvents));

    const s1 = await http.getDeviceStatus(agent.address);
    expect(s1.model).toEqual(int8.model);
    expect((await ipc.api.getDeviceStatus(agent.address)).model).toEqual(s1.model);
    expect(s1.backend).toBeTruthy();
    expect(s1.uptimeSeconds).toBeGreaterThan(0);

    // A second model, then roll back to the first.
    const pruned = await service.pushDeviceModel(agent.address, 'student-pruned');
    expect(pruned.previousModel?.id).toBe(int8.model.id);
    const back = await http.rollbackDevice(agent.address);
    expect(back).toMatchObject({ address: agent.address, model: { id: int8.model.id }, previousModel: { id: pruned.model.id } });
    expect((await http.getDeviceStatus(agent.address)).model?.sha256).toBe(int8.model.sha256);

    // Refusals name the device: the rule-based baseline, a directory outside the data directory (browser mode),
    // and — with an app that may read any directory — a model that fails the device's self-test.
    expect(((await http.pushDeviceModel(agent.address, 'rr-morphology-baseline').catch((e: Error) => e)) as Error).message).toMatch(new RegExp(`^${agent.address}: .*cannot run on a device`));
    const untrained = await untrainedModelsDir();
    const dir = join(untrained.modelsDir, untrained.id);
    expect(((await http.pushDeviceModel(agent.address, dir).catch((e: Error) => e)) as Error).message).toMatch(/outside the data directory/);
    const desktop = new ReviewService({ modelsDir: MODELS_DIR, devices: { registryPath: join(work, 'devices.json') } });
    const desktopEvents: ApiEvent[] = [];
    desktop.onEvent((e) => desktopEvents.push(e));
    const refused = (await desktop.pushDeviceModel(agent.address, dir).catch((e: Error) => e)) as Error;
    expect(refused.message).toMatch(new RegExp(`^${agent.address}: self-test failed: .*\\(HTTP 422\\)$`));
    expect(progress(desktopEvents).at(-1)).toMatchObject({ phase: 'failed', error: refused.message });
    await desktop.dispose();
    await rm(untrained.modelsDir, { recursive: true, force: true });
    // The refused model changed nothing.
    expect((await http.getDeviceStatus(agent.address)).model?.id).toBe(int8.model.id);

    // Two pushes at once (say, two windows): the device takes one and refuses the other, naming itself.
    const both = await Promise.allSettled([http.pushDeviceModel(agent.address, 'student-pruned'), ipc.api.pushDeviceModel(agent.address, 'student-int8')]);
    const lost = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost, JSON.stringify(both)).toHaveLength(1);
    expect((lost[0].reason as Error).message).toMatch(new RegExp(`^${agent.address}: another push is in progress .*\\(HTTP 409\\)$`));
    const winner = both.find((r): r is PromiseFulfilledResult<Awaited<ReturnType<EcgApi['pushDeviceModel']>>> => r.status === 'fulfilled')!.value;
    expect((await http.getDeviceStatus(agent.address)).model?.sha256).toBe(winner.model.sha256);
  });

  it("pushes an adapted run's own model (that patient's) to the device; a plain run has none to push", async () => {
    // Browser mode opens recordings inside its data directory: the shipped sample is copied there.
    for (const ext of ['hea', 'dat', 'atr']) await copyFile(`${SAMPLE_208}.${ext}`, join(work, `208.${ext}`));
    const rec = await http.openRecording('208');
    const classify = async (options: Parameters<EcgApi['startClassification']>[2]): Promise<string> => {
      const job = await waitJob(http, (await http.startClassification([rec.id], 'causal-student-int8', options)).jobId);
      expect(job.state, job.error).toBe('done');
      return job.runIds[0];
    };
    const plain = await classify({});
    const adapted = await classify({ adapt: { minutes: 5, labels: { from: 'reference' } } });
    const pushed = await http.pushDeviceModel(agent.address, { runId: adapted });
    const status = await ipc.api.getDeviceStatus(agent.address);
    expect(status.model?.sha256).toBe(pushed.model.sha256);
    // the device runs a model of its own, not the shipped one the run started from
    expect(pushed.model.sha256).not.toBe(sha256(await packModelDir(join(MODELS_DIR, 'causal-student-int8'))));
    await until(wsEvents, (ev) => ev.some((e) => e.type === 'device-push' && e.progress.model === `run ${adapted}` && e.progress.phase === 'done'), 'the done event of the adapted push');
    const refused = (await ipc.api.pushDeviceModel(agent.address, { runId: plain }).catch((e: Error) => e)) as Error;
    expect(refused.message).toBe(`${agent.address}: run ${plain} was not adapted to its patient, so it has no model of its own to push; push the model it was classified with instead`);
    // leave the device as the next test expects it: back on the model it ran before
    expect((await http.rollbackDevice(agent.address)).previousModel?.sha256).toBe(pushed.model.sha256);
  });

  it('watches live beats of MIT-BIH 208 replayed by the agent, then forgets the device and revokes its token', async () => {
    await http.startDeviceWatch(agent.address);
    await http.startDeviceWatch(agent.address); // idempotent: one subscription
    await http.startDeviceReplay(agent.address, SAMPLE_208, { speed: 100, seconds: 60 });
    const live = (events: ApiEvent[]): DeviceLiveMessage[] => events.flatMap((e) => (e.type === 'device-live' && e.address === agent.address ? e.messages : []));
    await until(wsEvents, (ev) => live(ev).some((m) => m.type === 'end'), 'the end of the replay');
    const msgs = live(wsEvents);
    expect(live(serviceEvents)).toEqual(msgs);
    const beats = msgs.filter((m): m is Extract<DeviceLiveMessage, { type: 'beat' }> => m.type === 'beat');
    // The first 60 s of 208 hold 106 reference beats.
    expect(beats.length, `live beats: ${beats.length}`).toBeGreaterThan(60);
    expect(beats.length, `live beats: ${beats.length}`).toBeLessThan(120);
    expect(new Set(beats.map((b) => b.sample)).size).toBe(beats.length);
    expect(beats.every((b) => /^[NSVFQ]$/.test(b.label))).toBe(true);
    // 208 has many PVCs: the live labels include V beats.
    expect(beats.some((b) => b.label === 'V')).toBe(true);
    const status = await http.getDeviceStatus(agent.address);
    expect(beats.every((b) => b.modelId === status.model!.id)).toBe(true);
    const rates = msgs.filter((m): m is Extract<DeviceLiveMessage, { type: 'rate' }> => m.type === 'rate');
    expect(rates.length).toBeGreaterThan(10);
    expect(rates.every((r) => r.bpm > 20 && r.bpm < 250)).toBe(true);
    expect(status.latency.count).toBe(beats.length);
    expect(status.monitoring).toMatchObject({ running: false, beats: beats.length });

    await http.stopDeviceWatch(agent.address);
    await until(wsEvents, (ev) => ev.some((e) => e.type === 'device-watch-ended' && e.address === agent.address), 'the watch to end');
    expect(wsEvents.find((e) => e.type === 'device-watch-ended')).toEqual({ type: 'device-watch-ended', address: agent.address, reason: null });

    // Forget: the token is revoked on the device, and the device leaves the list.
    const reg = JSON.parse(await readFile(join(work, 'devices.json'), 'utf8')) as { devices: { address: string; token: string }[] };
    const token = reg.devices[0].token;
    await http.forgetDevice(agent.address);
    expect(await http.listDevices()).toEqual([]);
    const old = new DeviceClient({ host: '127.0.0.1', port: agent.port }, token);
    expect(((await old.status().catch((e: Error) => e)) as Error).message).toMatch(/HTTP 401/);
  });
  it('a device that goes away while watched: the watch ends with a reason naming it, its row goes offline', async () => {
    const gone = await startAgentProcess({ dataDir: join(work, 'gone'), args: ['--name', 'unplugged-pi'] });
    await http.addDevice(gone.address);
    await http.pairDevice(gone.address, gone.codes.at(-1)!);
    await http.startDeviceWatch(gone.address);
    await gone.kill('SIGKILL');
    await until(wsEvents, (ev) => ev.some((e) => e.type === 'device-watch-ended' && e.address === gone.address), 'the lost watch to be reported');
    const ended = wsEvents.find((e) => e.type === 'device-watch-ended' && e.address === gone.address);
    expect(ended).toMatchObject({ reason: expect.stringMatching(new RegExp(`^${gone.address}: the live stream closed`)) });
    const row = (await http.listDevices()).find((r) => r.address === gone.address)!;
    expect(row).toMatchObject({ paired: true, online: false, error: `${gone.address}: connection refused (is the agent running?)` });
    expect(((await http.getDeviceStatus(gone.address).catch((e: Error) => e)) as Error).message).toBe(`${gone.address}: connection refused (is the agent running?)`);
    // Forgetting an unreachable device still works; the app warns that its token could not be revoked there.
    await http.forgetDevice(gone.address);
    expect((await http.listDevices()).some((r) => r.address === gone.address)).toBe(false);
    expect(wsEvents.some((e) => e.type === 'notice' && e.level === 'warning' && e.message.startsWith(`${gone.address} forgotten, but its token could not be revoked`))).toBe(true);
  });
});

describe('Devices API: mDNS discovery in a private network namespace', () => {
  it('lists agents that advertise _ecgreview._tcp beside the ones added by address, each once', async () => {
    // Multicast needs a namespace whose loopback has the MULTICAST flag (root + iproute2, as CI has; see
    // tests/devices/netns.ts). The service runs in a child process inside it.
    const work = await mkdtemp(join(tmpdir(), 'ecgr-app-mdns-'));
    const ns = createNetns(`ecgr-app-${process.pid}`);
    try {
      const agents = await Promise.all(['pi-ns1', 'pi-ns2'].map((n) =>
        startAgentProcess({ dataDir: join(work, n), args: ['--name', n, '--mdns', '--mdns-interface', '127.0.0.1'], netns: ns.name })));
      // The first is already known (added by address): it must not be listed twice.
      const registry = join(work, 'devices.json');
      await writeFile(registry, JSON.stringify({ devices: [{ address: agents[0].address, name: 'pi-ns1' }] }));
      const out = await new Promise<string>((resolve, reject) => {
        execFile('ip', ['netns', 'exec', ns.name, process.execPath, join(REPO, 'src-main/cli/run-ts.mjs'), join(REPO, 'tests/app/devices-discover-child.ts'), registry, '127.0.0.1'],
          { cwd: REPO, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      const rows = JSON.parse(out) as DeviceSummary[];
      expect(rows.map((r) => r.address).sort()).toEqual(agents.map((a) => a.address).sort());
      expect(rows.find((r) => r.address === agents[0].address)).toMatchObject({ name: 'pi-ns1', paired: false, online: true });
      expect(rows.find((r) => r.address === agents[0].address)?.discovered).toBeUndefined();
      const id2 = (await readFile(join(agents[1].dataDir, 'device-id'), 'utf8')).trim();
      expect(rows.find((r) => r.address === agents[1].address)).toMatchObject({ name: 'pi-ns2', deviceId: id2, paired: false, discovered: true, online: true });
      await Promise.all(agents.map((a) => a.kill()));
    } finally {
      ns.remove();
      await rm(work, { recursive: true, force: true });
    }
  });
});
