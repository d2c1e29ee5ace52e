import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/data.js';
import { checkFile, checkLayers, importsOf, layerOf } from './layers.js';

describe('layering rule', () => {
  it('reads static, dynamic and side-effect imports, not comments', () => {
    const src = `import { a } from './a.js';\nexport * from "../b.js";\nconst c = await import('./c.js');\nimport './d.js';\n// import x from 'electron'\n`;
    expect(importsOf(src)).toEqual(['./a.js', '../b.js', './c.js', './d.js']);
  });

  it('knows the layers by folder', () => {
    expect(layerOf('src-main/formats/wfdb/header.ts')).toBe('formats');
    expect(layerOf('src-renderer/App.svelte')).toBe('renderer');
    expect(layerOf('tests/x.test.ts')).toBeUndefined();
  });

  it('rejects imports against the layering', () => {
    expect(checkFile(REPO_ROOT, 'src-main/formats/edf/x.ts', `import { detectQrs } from '../../signal/qrs.js';`)).toHaveLength(1);
    expect(checkFile(REPO_ROOT, 'src-main/signal/x.ts', `import { app } from 'electron';`)[0].reason).toMatch(/Electron/);
    expect(checkFile(REPO_ROOT, 'src-renderer/lib/x.ts', `import { readFile } from 'node:fs/promises';`)[0].reason).toMatch(/Node/);
    expect(checkFile(REPO_ROOT, 'src-main/domain/x.ts', `import { FormatError } from '../formats/errors.js';`)).toHaveLength(1);
  });

  it('accepts imports along the layering', () => {
    expect(checkFile(REPO_ROOT, 'src-main/signal/x.ts', `import type { Recording } from '../domain/recording.js';`)).toEqual([]);
    expect(checkFile(REPO_ROOT, 'src-main/app/main.ts', `import { app } from 'electron';`)).toEqual([]);
    expect(checkFile(REPO_ROOT, 'src-main/model/x.ts', `import { segmentBeats } from '../signal/segment.js';`)).toEqual([]);
  });

  it('holds for the whole source tree', () => {
    expect(checkLayers(REPO_ROOT)).toEqual([]);
  });
});
