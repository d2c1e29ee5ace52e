import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { aamiClassOf } from '../../src-main/domain/aami.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { ARCHITECTURES } from '../../src-main/model/architectures/index.js';
import { classifyRecording } from '../../src-main/model/classify.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { loadModel, RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

describeMitdb('shipped models (resources/models)', () => {
  beforeAll(async () => { await initEngine({ prefer: 'wasm' }); });

  const shipped = [...ARCHITECTURES.map((a) => ({ name: a, arch: a, architecture: a })), { name: 'ensemble', arch: 'ensemble', architecture: 'ensemble of cnn + attention + transformer' },
    { name: 'attention-seeds', arch: 'attention', architecture: 'attention' }];
  for (const { name, arch, architecture } of shipped) {
    it(`${name}: loads by name, matches its card, and classifies 119 (ventricular bigeminy, a DS2-free DS1 record)`, async () => {
      const dir = join(RESOURCES_MODELS_DIR, name);
      expect(existsSync(join(dir, 'model.json')), `${dir}/model.json`).toBe(true);
      const card = JSON.parse(await readFile(join(dir, 'model-card.json'), 'utf8')) as { parameters: number; architecture: string; ds2: { perClass: Record<string, { se: number }> } };
      const loaded = await loadModel(name);
      expect(loaded.dir).toBe(dir);
      expect(loaded.meta.arch).toBe(arch);
      expect(card.architecture).toBe(architecture);
      if (arch === 'ensemble') expect(loaded.meta.members?.map((m) => m.arch)).toEqual([...ARCHITECTURES]);
      if (name === 'attention-seeds') expect(loaded.meta.members).toEqual([1, 2, 3].map((seed) => ({ arch: 'attention', seed })));
      expect(loaded.model.countParams()).toBe(card.parameters);
      expect(card.ds2.perClass.V.se).toBeGreaterThan(50);
      const src = await openRecording(mitdbRecord('119'));
      const ref = (await readAnnotations(src, 'atr')).filter((a) => aamiClassOf(a.symbol));
      const c = await classifyRecording(src, [loaded], { beats: 'atr' });
      await src.close();
      expect(c.samples.length).toBe(ref.length);
      let v = 0;
      let vHit = 0;
      let n = 0;
      let nHit = 0;
      ref.forEach((a, i) => {
        expect(c.samples[i]).toBe(a.sample);
        const got = c.classes[c.predicted[i]];
        if (aamiClassOf(a.symbol) === 'V') { v++; if (got === 'V') vHit++; }
        if (aamiClassOf(a.symbol) === 'N') { n++; if (got === 'N') nHit++; }
      });
      // 119 is a training record: the model must have learnt it
      expect(vHit / v).toBeGreaterThan(0.9);
      expect(nHit / n).toBeGreaterThan(0.9);
      loaded.model.dispose();
    });
  }
});
