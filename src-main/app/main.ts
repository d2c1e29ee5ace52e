/**
 * Electron main process: one window, locked down (see security.ts), the review service behind IPC, PDF reports
 * through a hidden sandboxed window's printToPDF. Classification runs in worker threads of this process
 * (services/jobs.ts) so the UI never waits on it.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ReviewService } from '../services/review-service.js';
import { registerIpc, trustedSender } from './ipc.js';
import { CSP_ELECTRON, isAppUrl, secureWebPreferences } from './security.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const devUrl = process.env.ELECTRON_RENDERER_URL;
const entry = devUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href;
const preload = join(here, '../preload/index.cjs');
const modelsDir = app.isPackaged ? join(process.resourcesPath, 'models') : join(here, '../../resources/models');

let win: BrowserWindow | undefined;

async function renderPdf(html: string): Promise<Uint8Array> {
  const w = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
  try {
    w.webContents.session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*'] }, (_d, cb) => cb({ cancel: true }));
    await w.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await w.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    w.destroy();
  }
}

// Workers are separate entries of the main bundle (electron.vite.config.ts), beside index.js.
const service = new ReviewService({
  modelsDir, renderPdf,
  // models adapted to a patient live in the app's own cache, not the OS temp directory
  cacheDir: join(app.getPath('userData'), 'cache'),
  workerEntry: new URL('./classify-worker.js', import.meta.url),
  indexWorkerEntry: new URL('./index-worker.js', import.meta.url),
  templatesWorkerEntry: new URL('./templates-worker.js', import.meta.url),
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (ev, url) => { if (!isAppUrl(url, entry)) ev.preventDefault(); });
  contents.on('will-redirect', (ev) => ev.preventDefault());
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the system browser, never in the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP_ELECTRON] } });
  });
  // No remote content: block http(s) except the dev server.
  session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*'] }, (d, cb) => cb({ cancel: !(devUrl && d.url.startsWith(devUrl)) }));

  win = new BrowserWindow({ width: 1400, height: 900, title: 'ECG Review', show: false, webPreferences: secureWebPreferences(preload) });
  win.once('ready-to-show', () => win?.show());
  const allowed = [devUrl ?? pathToFileURL(join(here, '../renderer/')).href];
  registerIpc(ipcMain, service, trustedSender(allowed, () => win?.webContents.id), () => win?.webContents);
  ipcMain.handle('ecg-review:dialog:pickRecording', async (e) => {
    if (!win || e.sender.id !== win.webContents.id) return null;
    const r = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: [{ name: 'Recordings', extensions: ['hea', 'edf', 'ecg', 'csv'] }] });
    return r.canceled ? null : r.filePaths[0].replace(/\.hea$/i, '');
  });
  void win.loadURL(entry);
});

app.on('window-all-closed', () => {
  void service.dispose().finally(() => app.quit());
});
