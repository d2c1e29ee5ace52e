/** The Electron security checklist as configured (no Electron needed to check it). */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CSP_ELECTRON, isAppUrl, secureWebPreferences } from '../../src-main/app/security.js';
import { REPO_ROOT } from '../helpers/data.js';

it('web preferences: isolation and sandbox on, Node off, no webview', () => {
  const p = secureWebPreferences('/app/preload.cjs');
  expect(p).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false, nodeIntegrationInSubFrames: false });
});

it('CSP allows only the app itself: no remote scripts, no eval, no objects, no framing', () => {
  expect(CSP_ELECTRON).toMatch(/default-src 'self'/);
  expect(CSP_ELECTRON).toMatch(/script-src 'self'(;|$)/);
  expect(CSP_ELECTRON).not.toMatch(/unsafe-eval|https?:|\*/);
  expect(CSP_ELECTRON).toMatch(/object-src 'none'/);
  expect(CSP_ELECTRON).toMatch(/frame-ancestors 'none'/);
});

it('navigation is allowed only to the app entry', () => {
  const entry = 'file:///opt/ecg/out/renderer/index.html';
  expect(isAppUrl('file:///opt/ecg/out/renderer/index.html#x', entry)).toBe(true);
  expect(isAppUrl('https://example.com/', entry)).toBe(false);
  expect(isAppUrl('file:///etc/passwd', entry)).toBe(false);
  expect(isAppUrl('not a url', entry)).toBe(false);
});

it('main process wires the checklist: window-open denied, navigation guarded, permissions refused', () => {
  const main = readFileSync(`${REPO_ROOT}/src-main/app/main.ts`, 'utf8');
  expect(main).toMatch(/setWindowOpenHandler\([^)]*\)[\s\S]*action: 'deny'/);
  expect(main).toMatch(/will-navigate/);
  expect(main).toMatch(/setPermissionRequestHandler\(\(_wc, _perm, cb\) => cb\(false\)\)/);
  expect(main).toMatch(/secureWebPreferences\(preload\)/);
  const preload = readFileSync(`${REPO_ROOT}/src-main/preload/index.ts`, 'utf8');
  expect(preload).toMatch(/exposeInMainWorld\('ecgReview', bridge\)/);
  expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
});
