/**
 * The Electron IPC transport, main side, written against minimal interfaces (no Electron import) so tests can
 * drive it with an in-process simulation. One handler per method of the channel map; nothing else is
 * registered, so unknown channels have no handler. Every call is checked to come from the app's own top frame
 * (foreign frames — an iframe, a navigated page — get an error, never data).
 */
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel, type ApiEvent } from '../api/contract.js';
import type { Outcome } from '../api/client.js';
import { dispatch } from '../api/dispatch.js';
import type { ReviewService } from '../services/review-service.js';

export interface IpcFrameLike { url: string }
export interface IpcEventLike {
  senderFrame: IpcFrameLike | null;
  sender: { id: number; mainFrame?: IpcFrameLike };
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike { id: number; send(channel: string, ...args: unknown[]): void; isDestroyed(): boolean }

/** Trusted: the main frame of our window whose URL is the app's own entry (file:// build or the dev server). */
export function trustedSender(allowedOrigins: string[], webContentsId: () => number | undefined) {
  return (e: IpcEventLike): boolean => {
    const frame = e.senderFrame;
    if (!frame || e.sender.id !== webContentsId()) return false;
    if (e.sender.mainFrame && e.sender.mainFrame !== frame) return false;
    return allowedOrigins.some((o) => frame.url.startsWith(o));
  };
}

export function registerIpc(ipcMain: IpcMainLike, service: ReviewService, isTrusted: (e: IpcEventLike) => boolean, target: () => WebContentsLike | undefined): () => void {
  for (const m of API_METHODS) {
    ipcMain.handle(ipcChannel(m), async (event, ...args): Promise<Outcome> => {
      if (!isTrusted(event)) return { ok: false, error: { name: 'ForeignFrame', message: `refused ${m} from ${event.senderFrame?.url ?? 'an unknown frame'}`, expected: true } };
      return dispatch(service, m, args);
    });
  }
  const off = service.onEvent((e: ApiEvent) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, e);
  });
  return () => {
    off();
    for (const m of API_METHODS) ipcMain.removeHandler(ipcChannel(m));
  };
}
