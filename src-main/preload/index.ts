/**
 * Preload (sandboxed): exposes exactly the API contract through contextBridge as `window.ecgReview`, nothing
 * of ipcRenderer itself. Method names are checked against the channel map before anything is sent.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, ipcChannel, isApiMethod, type ApiEvent, type EcgBridge } from '../api/contract.js';

const bridge: EcgBridge = {
  async call(method, args) {
    if (!isApiMethod(method)) return { ok: false, error: { name: 'UnknownMethod', message: `unknown API method ${String(method)}`, expected: true } };
    if (!Array.isArray(args)) return { ok: false, error: { name: 'BadRequest', message: 'arguments must be an array', expected: true } };
    return ipcRenderer.invoke(ipcChannel(method), ...args);
  },
  onEvent(listener) {
    const wrapped = (_e: IpcRendererEvent, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => { ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped); };
  },
  pickRecording: () => ipcRenderer.invoke('ecg-review:dialog:pickRecording') as Promise<string | null>,
  // Dropped files: Electron no longer puts a path on File objects; webUtils resolves it in the preload.
  pathForFile: (file: File) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('ecgReview', bridge);
