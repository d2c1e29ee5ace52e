/**
 * Which runtime runs the pushed model, on real agent processes: by default (`--runtime auto`) the lite runtime
 * (plain TypeScript) runs the students, and a model with a layer it does not implement (`attention`'s
 * EcgAttentionPooling1D) falls back to TensorFlow.js; the self-test and the status say which. Live labels are the
 * same whichever runtime runs the model: a short replay of MIT-BIH 208 on an agent forced to tfjs
 * (`--runtime tfjs`) gives exactly the labels (and probabilities within 1e-5) of the default agent.
 * `--runtime lite` refuses a model the lite runtime does not run. A model with an integer form runs it on any agent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGER_BACKEND, LITE_BACKEND } from '../../src-agent/classifiers.js';
import { packModelDir } from '../../src-main/devices/bundle.js';
import { DeviceClient } from '../../src-main/devices/client.js';
import type { PushResponse } from '../../src-main/devices/protocol.js';
import { RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { REPO, replayBeats, startAgentProcess, stopAllAgents, type StreamedBeat } from './processes.js';

const SAMPLE_208 = join(REPO, 'resources/samples/208');
const STUDENT = join(RESOURCES_MODELS_DIR, 'student-int8');
const ATTENTION = join(RESOURCES_MODELS_DIR, 'attention');
const INTEGER = join(RESOURCES_MODELS_DIR, 'causal-student-integer');

type Beat = StreamedBeat;
type PushWithSelfTest = PushResponse & { selfTest: { backend: string; message: string; passed: boolean } };

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ecgr-agent-runtime-'));
});

afterAll(async () => {
  await stopAllAgents();
  await rm(work, { recursive: true, force: true });
});

async function agentWith(name: string, runtime?: string): Promise<DeviceClient> {
  const agent = await startAgentProcess({ dataDir: join(work, name), args: ['--name', name, ...(runtime ? ['--runtime', runtime] : [])] });
  const c = new DeviceClient({ host: '127.0.0.1', port: agent.port });
  await c.pair(agent.codes.at(-1)!, 'runtime test');
  return c;
}

/** The first `seconds` of 208 replayed at `speed`: every beat the agent streams. */
const replay = (c: DeviceClient, seconds = 60, speed = 20): Promise<Beat[]> => replayBeats(c, SAMPLE_208, speed, seconds);

function expectSameBeats(a: Beat[], b: Beat[]): void {
  expect(a.length).toBeGreaterThan(50);
  expect(a.map((x) => x.sample)).toEqual(b.map((x) => x.sample));
  expect(a.map((x) => x.label)).toEqual(b.map((x) => x.label));
  let worst = 0;
  a.forEach((x, i) => x.probabilities!.forEach((p, k) => { worst = Math.max(worst, Math.abs(p - b[i].probabilities![k])); }));
  expect(worst).toBeLessThan(1e-5);
}

describe('device agent: lite runtime, TensorFlow.js fallback', () => {
  it('runs student-int8 on the lite runtime and attention on tfjs, with the labels a tfjs-only agent streams', async () => {
    const [auto, tfjs, lite] = await Promise.all([agentWith('pi-auto'), agentWith('pi-tfjs', 'tfjs'), agentWith('pi-lite', 'lite')]);
    const tfjsBackend = (await tfjs.status()).backend;
    expect(tfjsBackend).toMatch(/^(wasm|tensorflow|cpu)$/);
    // Before a push the status names both possibilities.
    expect((await auto.status()).backend).toBe(`${LITE_BACKEND}, else ${tfjsBackend}`);
    expect((await lite.status()).backend).toBe(LITE_BACKEND);

    // student-int8: lite on the default agent, tfjs on the forced one; the same self-test accuracy and live labels.
    const student = await packModelDir(STUDENT);
    const [pa, pt] = (await Promise.all([auto.push(student), tfjs.push(student)])) as PushWithSelfTest[];
    expect(pa.selfTest).toMatchObject({ backend: LITE_BACKEND, passed: true });
    expect(pa.selfTest.message).toContain(`run by ${LITE_BACKEND};`);
    expect(pt.selfTest).toMatchObject({ backend: tfjsBackend, passed: true });
    expect(pa.model.selfTestAccuracy).toBe(pt.model.selfTestAccuracy);
    expect((await auto.status()).backend).toBe(LITE_BACKEND);
    expect((await tfjs.status()).backend).toBe(tfjsBackend);
    const [liveLite, liveTfjs] = await Promise.all([replay(auto), replay(tfjs)]);
    expectSameBeats(liveLite, liveTfjs);

    // attention: its custom pooling layer is not in the lite runtime, so the default agent falls back to tfjs.
    const attention = await packModelDir(ATTENTION);
    const [aa, at] = (await Promise.all([auto.push(attention), tfjs.push(attention)])) as PushWithSelfTest[];
    expect(aa.selfTest).toMatchObject({ backend: tfjsBackend, passed: true });
    expect(aa.selfTest.message).toMatch(new RegExp(`run by ${tfjsBackend} \\(the lite runtime does not run it: .*EcgAttentionPooling1D`));
    expect(aa.model.selfTestAccuracy).toBe(at.model.selfTestAccuracy);
    expect((await auto.status()).backend).toBe(tfjsBackend);
    const [fallback, forced] = await Promise.all([replay(auto), replay(tfjs)]);
    expectSameBeats(fallback, forced);
    // Other probabilities than the student's: the comparison above really ran attention.
    expect(fallback.map((b) => b.probabilities)).not.toEqual(liveLite.map((b) => b.probabilities));

    // Rollback to the student puts it back on the lite runtime.
    await auto.rollback();
    expect((await auto.status()).backend).toBe(LITE_BACKEND);

    // --runtime lite: the student runs, attention is refused and the student keeps running.
    await lite.push(student);
    await expect(lite.push(attention)).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/does not load: .*EcgAttentionPooling1D/) });
    const ls = await lite.status();
    expect(ls.backend).toBe(LITE_BACKEND);
    expect(ls.model?.id).toBe(pa.model.id);

    // A model with an integer form runs as integers whatever the runtime choice, and streams Q15 probabilities.
    const integer = await packModelDir(INTEGER);
    const [ia, il] = (await Promise.all([auto.push(integer), lite.push(integer)])) as PushWithSelfTest[];
    expect(ia.selfTest).toMatchObject({ backend: INTEGER_BACKEND, passed: true });
    expect(il.selfTest).toMatchObject({ backend: INTEGER_BACKEND, passed: true });
    expect(ia.selfTest.message).toContain(`run by ${INTEGER_BACKEND};`);
    expect((await auto.status()).backend).toBe(INTEGER_BACKEND);
    const streamed = await replay(auto, 30);
    expect(streamed.length).toBeGreaterThan(20);
    // The first beat has no earlier look-alikes for the morphology consensus: its probabilities are the integer
    // network's own, whole multiples of 2^-15.
    expect(streamed[0].probabilities!.map((p) => p * 32768).every(Number.isInteger)).toBe(true);
  }, 240_000);
});
