/**
 * HTML → PDF with the system Chromium through playwright-core (browser mode and CLI). Never downloads a browser:
 * the executable comes from ECG_REVIEW_CHROMIUM or the usual system locations.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../services/errors.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function findChromium(): string | null {
  const candidates = [process.env.ECG_REVIEW_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export async function renderPdfWithChromium(html: string): Promise<Uint8Array> {
  const exe = findChromium();
  if (!exe) throw new AppError('no Chromium found for PDF rendering (install chromium or set ECG_REVIEW_CHROMIUM)');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // Block every request: the report is self-contained and must stay so.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '0', bottom: '0', left: '0', right: '0' }, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
