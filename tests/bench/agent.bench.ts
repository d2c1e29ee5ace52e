/**
 * Device agent throughput and latency, on the real agent process with the smallest shipped compressed causal model
 * (model.json + weights on disk, as the compression issue measures size; causal because a bedside monitor labels
 * each beat ~30 ms after its R peak, and an offline-input model of about the same size waits seconds):
 *  - MIT-BIH 208 (360 Hz, 2 leads) replayed at 50× real time: beats labelled per second vs needed, whether the
 *    replay kept its pace (wall time vs record time / 50), the agent's CPU (from /proc/<pid>/stat);
 *  - as fast as it goes (1000×): the ceiling;
 *  - real time: per-beat `latencyMs` (work the device adds after the beat became ready) and `delayMs` (from
 *    the arrival of the beat's fiducial sample), p50/p95, and the delay from the reference (atr) R peak's arrival
 *    — for the smallest model and, when it is not the same, the offline-input student-int8 for contrast (a
 *    causal model labels ~30 ms after the R peak; an offline one waits for five later beats and the noise gate).
 * `npm run bench -- agent` (BENCH_AGENT_MODEL=<dir> to bench another model; BENCH_AGENT_RUNTIME=tfjs|lite|auto for
 * the agent's `--runtime`, default auto: the lite runtime when it runs the model, else TensorFlow.js).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packModelDir } from '../../src-main/devices/bundle.js';
import { isBeatSymbol } from '../../src-main/domain/annotation.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { DeviceClient } from '../../src-main/devices/client.js';
import { RESOURCES_MODELS_DIR as SHIPPED_MODELS_DIR } from '../../src-main/model/io.js';
import { replayBeats, REPO, startAgentProcess } from '../devices/processes.js';
import type { BenchTable } from './table.js';

const RECORD = join(REPO, 'resources/samples/208');

async function smallestCompressed(): Promise<string> {
  if (process.env.BENCH_AGENT_MODEL) return process.env.BENCH_AGENT_MODEL;
  const dirs = existsSync(SHIPPED_MODELS_DIR) ? readdirSync(SHIPPED_MODELS_DIR).map((n) => join(SHIPPED_MODELS_DIR, n)).filter((d) => {
    try { return (JSON.parse(readFileSync(join(d, 'model-card.json'), 'utf8')) as { compression?: unknown[] }).compression?.length; } catch { return false; }
  }) : [];
  if (dirs.length === 0) throw new Error(`no compressed model in ${SHIPPED_MODELS_DIR} (set BENCH_AGENT_MODEL)`);
  // Size as the compression issue measures it: model.json + weight files on disk (the bundle adds the card).
  const onDisk = (d: string): number => {
    const json = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as { weightsManifest?: { paths: string[] }[] };
    return statSync(join(d, 'model.json')).size + (json.weightsManifest ?? []).flatMap((g) => g.paths).reduce((a, p) => a + statSync(join(d, p)).size, 0);
  };
  const causal = (d: string): boolean => (JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as { userDefinedMetadata?: { ecgReview?: { window?: { causal?: boolean } } } })
    .userDefinedMetadata?.ecgReview?.window?.causal === true;
  const pool = dirs.some(causal) ? dirs.filter(causal) : dirs;
  return pool.map((d) => ({ d, n: onDisk(d) })).sort((a, b) => a.n - b.n)[0].d;
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const q = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

interface Run { wallS: number; cpuS: number; beats: number; latency: number[]; delay: number[]; refDelay: number[] }

/** Reference R peaks of the replayed record (atr beat annotations), samples. */
async function referencePeaks(): Promise<Int32Array> {
  const src = await openRecording(RECORD);
  try {
    return Int32Array.from((await readAnnotations(src, 'atr')).filter((a) => isBeatSymbol(a.symbol)).map((a) => a.sample));
  } finally {
    await src.close();
  }
}

async function replay(c: DeviceClient, pid: number, speed: number, seconds: number, ref?: Int32Array): Promise<Run> {
  let cpu0 = 0, t0 = 0;
  const beats = await replayBeats(c, RECORD, speed, seconds, () => { cpu0 = cpuSeconds(pid); t0 = performance.now(); });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(pid) - cpu0;
  // At real time a sample arrives (sample − R)/fs later than the R peak: the delay from the reference R peak is
  // the streamed delay plus that (to the 10 ms replay tick); unmatched detections (> 150 ms off) are left out.
  const refDelay: number[] = [];
  if (ref) {
    const fs = 360;
    let j = 0;
    for (const b of beats) {
      while (j < ref.length - 1 && Math.abs(ref[j + 1] - b.sample) <= Math.abs(ref[j] - b.sample)) j++;
      if (Math.abs(ref[j] - b.sample) <= 0.15 * fs) refDelay.push(b.delayMs + ((b.sample - ref[j]) / fs) * 1000 / speed);
    }
  }
  return { wallS, cpuS, beats: beats.length, latency: beats.map((b) => b.latencyMs), delay: beats.map((b) => b.delayMs), refDelay };
}

export async function run(): Promise<BenchTable[]> {
  const model = await smallestCompressed();
  const dataDir = await mkdtemp(join(tmpdir(), 'ecgr-agent-bench-'));
  const runtime = process.env.BENCH_AGENT_RUNTIME;
  const agent = await startAgentProcess({ dataDir, args: runtime ? ['--runtime', runtime] : [] });
  try {
    const c = new DeviceClient({ host: '127.0.0.1', port: agent.port });
    await c.pair(agent.codes.at(-1)!, 'bench');
    const pushed = await c.push(await packModelDir(model));
    const backend = (await c.status()).backend;
    const rows: (string | number)[][] = [];
    const fast = Number(process.env.BENCH_AGENT_SECONDS ?? 600);
    for (const [speed, seconds, runs] of [[50, fast, 3], [1000, 1805, 1]] as const) {
      for (let i = 0; i < runs; i++) {
        const r = await replay(c, agent.pid, speed, seconds);
        if (r.beats === 0) throw new Error(`the agent streamed no beats replaying ${RECORD} at ${speed}× (model ${model}); status: ${JSON.stringify(await c.status())}`);
        const needed = r.beats / (seconds / speed); // beats per wall second the stream brings at this speed
        rows.push([`${speed}×, ${seconds} s of 208`, i + 1, r.beats, (r.beats / r.wallS).toFixed(0), speed === 1000 ? '-' : needed.toFixed(0),
          r.wallS.toFixed(2), (seconds / speed).toFixed(2), (100 * r.cpuS / r.wallS).toFixed(0), q(r.latency, 0.5).toFixed(1), q(r.latency, 0.95).toFixed(1)]);
      }
    }
    const rt: (string | number)[][] = [];
    // The smallest model: three runs of a minute each (≈ 100 beats); the contrast model: one run of 30 s.
    const rtSeconds = Number(process.env.BENCH_AGENT_RT_SECONDS ?? 60);
    const ref = await referencePeaks();
    const contrast = join(SHIPPED_MODELS_DIR, 'student-int8');
    for (const dir of [model, ...(model !== contrast && existsSync(contrast) && !process.env.BENCH_AGENT_MODEL ? [contrast] : [])]) {
      const id = dir === model ? pushed.model.id : (await c.push(await packModelDir(dir))).model.id;
      for (let i = 0; i < (dir === model ? 3 : 1); i++) {
        const r = await replay(c, agent.pid, 1, dir === model ? rtSeconds : 30, ref);
        rt.push([id, i + 1, r.beats, q(r.latency, 0.5).toFixed(2), q(r.latency, 0.95).toFixed(2), Math.max(...r.latency).toFixed(2), q(r.delay, 0.5).toFixed(0), q(r.delay, 0.95).toFixed(0),
          r.refDelay.length ? q(r.refDelay, 0.5).toFixed(0) : '-', r.refDelay.length ? q(r.refDelay, 0.95).toFixed(0) : '-', (100 * r.cpuS / r.wallS).toFixed(1)]);
      }
    }
    return [
      {
        title: `Device agent: MIT-BIH 208 (360 Hz, 2 leads) replayed faster than real time — ${pushed.model.id} (${pushed.model.bytes} B bundle, ${backend})`,
        columns: ['replay', 'run', 'beats', 'beats/s done', 'beats/s needed', 'wall s', 'paced s', 'agent CPU %', 'latency p50 ms', 'latency p95 ms'],
        rows,
        notes: ['Keeping up = wall ≈ paced time (record seconds / speed); at 1000× the replay is as fast as the agent goes. CPU % of one core, the agent process only.'],
      },
      {
        title: `Device agent at real time: per-beat latency (${rtSeconds} s of 208 per run; 30 s for the contrast model)`,
        columns: ['model', 'run', 'beats', 'latency p50 ms', 'latency p95 ms', 'latency max ms', 'delay p50 ms', 'delay p95 ms', 'delay from atr R p50 ms', 'delay from atr R p95 ms', 'agent CPU %'],
        rows: rt,
        notes: [
          'latency: from the arrival of the samples that made the beat ready to the label on the WebSocket (the device\'s work). delay: from the arrival of the beat\'s own fiducial sample; "from atr R": from the arrival of the matching reference R peak (the cardiologists\' annotation).',
          'A causal model (train --causal) is labelled as soon as the fast detector confirms the beat (~30 ms after R); an offline-input model waits for the noise gate (~5 s) and the five later beats its RR features need.',
          'The replay feeds 10 ms of signal per tick, so delays include up to 10 ms of packetisation.',
        ],
      },
    ];
  } finally {
    await agent.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
}
