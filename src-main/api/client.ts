/**
 * Builds an `EcgApi` from any transport's `call(method, args)`: the renderer uses it over the preload bridge or
 * over HTTP, tests use it over both to prove the transports agree. No Node or DOM dependency.
 */
import { API_METHODS, ApiError, type ApiErrorPayload, type ApiMethod, type EcgApi } from './contract.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorPayload };
export type CallFn = (method: ApiMethod, args: unknown[]) => Promise<Outcome>;

export function createApiClient(call: CallFn): EcgApi {
  const api = {} as Record<ApiMethod, (...args: unknown[]) => Promise<unknown>>;
  for (const m of API_METHODS) {
    api[m] = async (...args: unknown[]) => {
      const r = await call(m, args);
      if (!r.ok) throw new ApiError(r.error);
      return r.value;
    };
  }
  return api as unknown as EcgApi;
}

/** The HTTP transport's call: `POST /api/<method>` with the JSON array of arguments and the access token. */
export function httpCall(baseUrl: string, token: string, fetchFn: typeof fetch = fetch): CallFn {
  return async (method, args) => {
    const res = await fetchFn(`${baseUrl}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(args),
    });
    const text = await res.text();
    let body: Outcome;
    try { body = JSON.parse(text) as Outcome; } catch {
      return { ok: false, error: { name: 'TransportError', message: `HTTP ${res.status}: ${text.slice(0, 200)}`, expected: false } };
    }
    return body;
  };
}
