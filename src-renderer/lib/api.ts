/**
 * The renderer's API: the preload bridge when running in Electron, HTTP + WebSocket in browser mode (token from
 * the URL, kept in sessionStorage and removed from the address bar). Either way the views see one `EcgApi`.
 */
import { createApiClient, httpCall, type CallFn } from '../../src-main/api/client.js';
import type { ApiEvent, EcgApi, EcgBridge } from '../../src-main/api/contract.js';

declare global {
  interface Window { ecgReview?: EcgBridge }
}

export interface Transport {
  api: EcgApi;
  kind: 'electron' | 'browser';
  onEvent(listener: (e: ApiEvent) => void): () => void;
  pickRecording?: () => Promise<string | null>;
  pathForFile?: (file: File) => string;
}

function browserToken(): string {
  const url = new URL(location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem('ecg-review-token', t);
    return t;
  }
  return sessionStorage.getItem('ecg-review-token') ?? '';
}

export function connect(): Transport {
  const bridge = window.ecgReview;
  if (bridge) {
    const call: CallFn = (m, args) => bridge.call(m, args as never) as ReturnType<CallFn>;
    return { api: createApiClient(call), kind: 'electron', onEvent: (l) => bridge.onEvent(l), pickRecording: bridge.pickRecording, pathForFile: bridge.pathForFile };
  }
  const token = browserToken();
  const listeners = new Set<(e: ApiEvent) => void>();
  let ws: WebSocket | null = null;
  const open = (): void => {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    ws.onmessage = (m) => { const e = JSON.parse(String(m.data)) as ApiEvent; for (const l of listeners) l(e); };
    ws.onclose = () => { setTimeout(open, 1000); };
  };
  open();
  return {
    api: createApiClient(httpCall(location.origin, token)),
    kind: 'browser',
    onEvent(l) { listeners.add(l); return () => listeners.delete(l); },
  };
}
