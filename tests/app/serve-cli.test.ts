/**
 * `ecg-review serve` as a user runs it: one line on stdout (the URL with the token), bound to 127.0.0.1, 401
 * without the token, the renderer served with a strict CSP, recordings outside --data-dir refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DATA_DIR, describeMitdb, REPO_ROOT } from '../helpers/data.js';

describeMitdb('ecg-review serve', () => {
  let child: ChildProcess;
  let stdout = '';
  let url: URL;

  beforeAll(async () => {
    child = spawn(process.execPath, ['src-main/cli/bin.mjs', 'serve', '--data-dir', `${DATA_DIR}/mitdb`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => { stdout += String(d); });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`serve printed nothing: ${stdout}`)), 60_000);
      child.stdout!.on('data', () => { if (stdout.includes('\n')) { clearTimeout(t); res(); } });
      child.on('exit', (c) => rej(new Error(`serve exited with ${c}`)));
    });
    url = new URL(stdout.trim());
  });
  afterAll(() => { child?.kill('SIGTERM'); });

  it('prints exactly one line: http://127.0.0.1:<port>/?token=<token>', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}\n$/);
  });

  it('refuses API calls without the token and answers with it', async () => {
    const base = `http://127.0.0.1:${url.port}`;
    expect((await fetch(`${base}/api/listModels`, { method: 'POST', body: '[]' })).status).toBe(401);
    expect((await fetch(`${base}/api/listModels?token=nope`, { method: 'POST', body: '[]' })).status).toBe(401);
    const ok = await fetch(`${base}/api/listModels`, { method: 'POST', headers: { authorization: `Bearer ${url.searchParams.get('token')}` }, body: '[]' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { ok: boolean }).ok).toBe(true);
    const outside = await fetch(`${base}/api/openRecording`, { method: 'POST', headers: { authorization: `Bearer ${url.searchParams.get('token')}` }, body: JSON.stringify([`${DATA_DIR}/nstdb-noise/bw`]) });
    expect(((await outside.json()) as { error: { message: string } }).error.message).toMatch(/outside the data directory/);
  });

  it('serves the page with a Content-Security-Policy (when the renderer is built)', async () => {
    const res = await fetch(`http://127.0.0.1:${url.port}/`);
    if (res.status === 200) {
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    } else {
      expect(await res.text()).toMatch(/renderer not built/);
    }
  });
});
