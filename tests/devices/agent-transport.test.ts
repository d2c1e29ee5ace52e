import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src-agent/agent.js';
import { packBundle, sha256 } from '../../src-main/devices/bundle.js';
import { DeviceClient } from '../../src-main/devices/client.js';
import { DeviceError } from '../../src-main/devices/errors.js';
import { fakeModelFiles, fakeRuntime } from './fake-runtime.js';

const started: { agent: Agent; dir: string }[] = [];

async function startAgent(opts: { maxUploadBytes?: number; beforeSelfTest?: () => Promise<void> } = {}): Promise<{ agent: Agent; dir: string; client: DeviceClient; codes: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'ecgr-agent-'));
  const codes: string[] = [];
  const agent = new Agent({ dataDir: dir, runtime: fakeRuntime({ beforeSelfTest: opts.beforeSelfTest }), maxUploadBytes: opts.maxUploadBytes, announce: (l) => { const m = /^pairing code: (\d+)$/.exec(l); if (m) codes.push(m[1]); } });
  await agent.start();
  started.push({ agent, dir });
  return { agent, dir, codes, client: new DeviceClient({ host: '127.0.0.1', port: agent.address.port }) };
}

afterEach(async () => {
  for (const { agent, dir } of started.splice(0)) {
    await agent.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

async function paired(opts?: { maxUploadBytes?: number; beforeSelfTest?: () => Promise<void> }) {
  const a = await startAgent(opts);
  await a.client.pair(a.codes.at(-1)!, 'test');
  return a;
}

describe('device agent: pairing and tokens', () => {
  it('listens on 127.0.0.1 only, by default', async () => {
    const { agent } = await startAgent();
    expect(agent.address.host).toBe('127.0.0.1');
  });

  it('shows a code while unpaired, exchanges it once for a token, and refuses other requests without one', async () => {
    const { client, codes, agent } = await startAgent();
    expect(codes).toHaveLength(1);
    expect((await client.hello()).paired).toBe(false);
    await expect(client.status()).rejects.toMatchObject({ status: 401 });
    await expect(client.pair('000000'.replace(/./g, (_, i) => String((Number(codes[0][i]) + 1) % 10)))).rejects.toMatchObject({ status: 403 });
    const r = await client.pair(codes[0]);
    expect(r.token).toMatch(/^[\w-]{40,}$/);
    expect((await client.status()).deviceId).toBe(r.deviceId);
    // The code was one-time: a second app cannot reuse it.
    const other = new DeviceClient({ host: '127.0.0.1', port: agent.address.port });
    await expect(other.pair(codes[0])).rejects.toMatchObject({ status: 403 });
  });

  it('rejects a wrong token and honours revocation', async () => {
    const { client, agent } = await paired();
    const stranger = new DeviceClient({ host: '127.0.0.1', port: agent.address.port }, 'not-a-token');
    await expect(stranger.status()).rejects.toMatchObject({ status: 401 });
    await expect(stranger.watch(() => {})).rejects.toMatchObject({ status: 401 });
    const tokenId = (await client.tokens()).tokens[0].id;
    await client.revoke(tokenId);
    await expect(client.status()).rejects.toMatchObject({ status: 401 });
  });

  it('replaces the code after five wrong guesses', async () => {
    const { client, codes } = await startAgent();
    for (let i = 0; i < 5; i++) await expect(client.pair(i === 0 && codes[0] === '999999' ? '999998' : '999999')).rejects.toBeInstanceOf(DeviceError);
    expect(codes.length).toBe(2);
    await expect(client.pair(codes[0])).rejects.toMatchObject({ status: 403 });
    await client.pair(codes[1]);
  });
});

describe('device agent: model push', () => {
  it('stages, self-tests and switches atomically, keeping the previous model for rollback', async () => {
    const { client, dir } = await paired();
    const a = packBundle(fakeModelFiles('alpha'));
    const b = packBundle(fakeModelFiles('beta'));
    const r1 = await client.push(a);
    expect(r1.model.sha256).toBe(sha256(a));
    expect(r1.previousModel).toBeNull();
    const r2 = await client.push(b);
    expect(r2.model.name).toBe('beta');
    expect(r2.previousModel?.name).toBe('alpha');
    const back = await client.rollback();
    expect(back.model.name).toBe('alpha');
    expect((await client.status()).model?.sha256).toBe(sha256(a));
    expect(await readdir(join(dir, 'staging'))).toEqual([]);
    expect((await readdir(join(dir, 'models'))).sort()).toEqual([r1.model.id, r2.model.id].sort());
  });

  it('refuses a hash mismatch, an oversized upload and a model that fails its self-test, leaving the running model', async () => {
    const { client, dir } = await paired({ maxUploadBytes: 4096 });
    const good = packBundle(fakeModelFiles('good'));
    await client.push(good);
    const other = packBundle(fakeModelFiles('other'));
    await expect(client.push(other, undefined, sha256(good))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/SHA-256 mismatch/) });
    await expect(client.push(packBundle(fakeModelFiles('huge', 0.95, 0.95, 10_000)))).rejects.toMatchObject({ status: 413 });
    await expect(client.push(packBundle(fakeModelFiles('bad', 0.5, 0.95)))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/self-test failed/) });
    await expect(client.push(Buffer.from('not a bundle at all'))).rejects.toMatchObject({ status: 422 });
    const s = await client.status();
    expect(s.model?.name).toBe('good');
    expect(s.pushInProgress).toBe(false);
    expect(await readdir(join(dir, 'staging'))).toEqual([]);
  });

  it('lets one of two simultaneous pushes win and tells the other it conflicts', async () => {
    // The first push is held in its self-test until the second has been answered, so the race is certain.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { client, agent, codes } = await paired({ beforeSelfTest: () => gate });
    await client.requestPairingCode();
    const second = new DeviceClient({ host: '127.0.0.1', port: agent.address.port });
    await second.pair(codes.at(-1)!, 'second app');
    const first = client.push(packBundle(fakeModelFiles('first')));
    while (!(await second.status()).pushInProgress) await new Promise((r) => setTimeout(r, 5));
    const results = await Promise.allSettled([second.push(packBundle(fakeModelFiles('second'))).finally(release), first]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatchObject({ status: 409, message: expect.stringMatching(/another push is in progress/) });
  });

  it('has nothing to roll back to before a second push', async () => {
    const { client } = await paired();
    await expect(client.rollback()).rejects.toMatchObject({ status: 409 });
  });
});
