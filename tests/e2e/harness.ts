/**
 * End-to-end harness: builds the renderer with Vite into a temporary directory (so parallel test files and
 * `npm run build` do not collide), serves it in browser mode with an in-process ReviewService, and drives
 * Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { CHROMIUM_ARGS, findChromium, renderPdfWithChromium } from '../../src-main/server/pdf.js';
import { ReviewService, type ServiceOptions } from '../../src-main/services/review-service.js';
import { REPO_ROOT } from '../helpers/data.js';
import { MODELS_DIR } from '../app/helpers.js';

export const SCREENSHOTS = join(REPO_ROOT, 'tests/e2e/screenshots');

export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'ecg-review-renderer-'));
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  await build({
    root: join(REPO_ROOT, 'src-renderer'), base: './', configFile: false, logLevel: 'warn',
    plugins: [svelte()],
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
  });
  return outDir;
}

export async function launchBrowser(): Promise<Browser> {
  const exe = findChromium();
  if (!exe) throw new Error('Chromium not found at /usr/bin/chromium (apt-get install -y chromium); the e2e tests need it');
  return chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
}

export interface App { server: RunningServer; service: ReviewService; url: string; close(): Promise<void> }

export async function startApp(rendererDir: string, dataDir: string, opts: Partial<ServiceOptions> = {}): Promise<App> {
  const service = new ReviewService({ dataDir, modelsDir: MODELS_DIR, renderPdf: renderPdfWithChromium, ...opts });
  const server = await startServer({ service, rendererDir });
  return { server, service, url: server.url, async close() { await server.close(); await service.dispose(); } };
}

/** PDF page count from the page tree root (`/Type /Pages … /Count n`). */
export function pdfPageCount(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  return counts.length ? Math.max(...counts) : 0;
}
