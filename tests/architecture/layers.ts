/**
 * The layering rule, as VS Code enforces its own: each folder may import only from the layers listed for it.
 * `checkLayers` reads import specifiers from source text and reports every import that goes against the rule.
 *
 *   domain            ← nothing of ours
 *   formats           ← domain                      (I/O knows nothing of processing)
 *   signal            ← domain
 *   rhythm            ← domain                      (beat labels → Holter figures)
 *   evaluation        ← domain, formats, signal
 *   model             ← domain, formats, signal, evaluation, platform
 *   devices           ← domain, formats, signal, evaluation, model, platform
 *   api               ← domain                      (the contract shared with the renderer: types only)
 *   services          ← core layers, api, platform
 *   cli, server       ← core layers, api, services, platform
 *   app, preload      ← everything on the main side (the only places that may import 'electron')
 *   src-renderer      ← api, domain (no Node built-ins, no Electron)
 *   src-agent         ← core layers, platform, cli's argument parser (no Electron)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const CORE = ['domain', 'formats', 'signal', 'rhythm', 'evaluation', 'model', 'devices', 'platform'];
export const ALLOWED: Record<string, string[]> = {
  domain: [],
  platform: [],
  formats: ['domain'],
  signal: ['domain'],
  rhythm: ['domain'],
  evaluation: ['domain', 'formats', 'signal'],
  model: ['domain', 'formats', 'signal', 'evaluation', 'platform'],
  devices: ['domain', 'formats', 'signal', 'evaluation', 'model', 'platform', 'api'],
  api: ['domain'],
  services: [...CORE, 'api'],
  cli: [...CORE, 'api', 'services', 'server', 'cli'],
  server: [...CORE, 'api', 'services'],
  app: [...CORE, 'api', 'services', 'server', 'app', 'preload'],
  preload: ['api', 'domain'],
  renderer: ['api', 'domain'],
  agent: [...CORE, 'cli'], // the agent is a command-line program too: it reuses the strict argument parser
};
const MAY_IMPORT_ELECTRON = new Set(['app', 'preload']);
const NODE_BUILTIN = /^node:|^(fs|path|os|child_process|worker_threads|net|http|https|crypto|url|stream|zlib)(\/|$)/;

export interface Violation { file: string; specifier: string; reason: string }

/** Which layer a repository-relative path belongs to, or undefined when the rule does not govern it. */
export function layerOf(rel: string): string | undefined {
  const parts = rel.split(/[\\/]/);
  if (parts[0] === 'src-renderer') return 'renderer';
  if (parts[0] === 'src-agent') return 'agent';
  if (parts[0] === 'src-main' && parts.length > 2) return parts[1];
  return undefined;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  // Drop comments so examples in prose are not read as imports.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  for (const m of text.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export function checkFile(root: string, rel: string, source: string): Violation[] {
  const layer = layerOf(rel);
  if (!layer) return [];
  const allowed = ALLOWED[layer];
  if (!allowed) return [{ file: rel, specifier: '', reason: `folder '${layer}' has no layering rule; add it to tests/architecture/layers.ts` }];
  const v: Violation[] = [];
  for (const spec of importsOf(source)) {
    if (spec === 'electron' || spec.startsWith('electron/')) {
      if (!MAY_IMPORT_ELECTRON.has(layer)) v.push({ file: rel, specifier: spec, reason: `layer '${layer}' must not import Electron` });
      continue;
    }
    if (layer === 'renderer' && NODE_BUILTIN.test(spec)) {
      v.push({ file: rel, specifier: spec, reason: 'the renderer must not import Node built-ins' });
      continue;
    }
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(root, dirname(rel), spec)).split(sep).join('/');
    const tl = layerOf(target);
    if (!tl || tl === layer) continue;
    if (!allowed.includes(tl)) v.push({ file: rel, specifier: spec, reason: `layer '${layer}' may not import from '${tl}'` });
  }
  return v;
}

export function checkLayers(root: string): Violation[] {
  const out: Violation[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js|svelte)$/.test(name)) {
        const rel = relative(root, p).split(sep).join('/');
        out.push(...checkFile(root, rel, readFileSync(p, 'utf8')));
      }
    }
  };
  for (const top of ['src-main', 'src-renderer', 'src-agent']) {
    try { walk(join(root, top)); } catch { /* folder not there yet */ }
  }
  return out;
}
