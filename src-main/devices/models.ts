/** `--model cnn` names a shipped model in resources/models; anything with a slash (or that exists) is a directory. */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DeviceError } from './errors.js';

export const SHIPPED_MODELS_DIR = fileURLToPath(new URL('../../resources/models/', import.meta.url));

export async function resolveModelDir(nameOrDir: string): Promise<string> {
  for (const candidate of [nameOrDir, `${SHIPPED_MODELS_DIR}${nameOrDir}`]) {
    try {
      if ((await stat(candidate)).isDirectory()) return candidate;
    } catch { /* try the next */ }
  }
  throw new DeviceError(`is neither a model directory nor a shipped model in ${SHIPPED_MODELS_DIR}`, nameOrDir);
}
