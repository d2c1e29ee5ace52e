/**
 * The server side of both transports: validate the method name against the channel map, call the service,
 * and turn errors into the wire payload (the core's own errors are "expected" and keep their message).
 */
import { isEcgReviewError } from '../domain/errors.js';
import { isApiMethod, type ApiErrorPayload, type EcgApi } from './contract.js';
import type { Outcome } from './client.js';

export async function dispatch(service: EcgApi, method: unknown, args: unknown): Promise<Outcome> {
  if (!isApiMethod(method)) return { ok: false, error: { name: 'UnknownMethod', message: `unknown API method ${JSON.stringify(method)}`, expected: true } };
  if (!Array.isArray(args)) return { ok: false, error: { name: 'BadRequest', message: `arguments of ${method} must be an array`, expected: true } };
  try {
    const fn = service[method] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(service, args);
    return { ok: true, value: value === undefined ? null : value };
  } catch (e) {
    return { ok: false, error: errorPayload(e) };
  }
}

export function errorPayload(e: unknown): ApiErrorPayload {
  if (isEcgReviewError(e)) return { name: e.name, message: e.message, expected: true };
  const err = e as Error;
  return { name: err?.name ?? 'Error', message: `internal error: ${err?.message ?? String(e)}`, expected: false };
}
