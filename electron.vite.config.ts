/**
 * electron-vite: main (Electron main + the classification worker as its own entry), preload (sandboxed, so one
 * self-contained CommonJS-free bundle), renderer (Svelte 5). `npm run build` writes out/{main,preload,renderer};
 * browser mode (`ecg-review serve`) serves out/renderer.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // Optional native backend, loaded only when installed (model/engine/backend.ts).
        external: ['@tensorflow/tfjs-node'],
        input: {
          index: resolve('src-main/app/main.ts'),
          'classify-worker': resolve('src-main/services/classify-worker.ts'),
          'index-worker': resolve('src-main/services/index-worker.ts'),
          'templates-worker': resolve('src-main/services/templates-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot be ES modules: emit CommonJS.
      rollupOptions: { input: { index: resolve('src-main/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});
