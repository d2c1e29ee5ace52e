import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, intFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_RENDERER_DIR = `${REPO_ROOT}out/renderer`;
export const DEFAULT_MODELS_DIR = `${REPO_ROOT}resources/models`;

export const command: Command = {
  name: 'serve',
  usage: 'ecg-review serve [--port P] [--data-dir D] [--host 127.0.0.1]',
  summary: 'Run the review app in a browser: serves the built renderer and the API on 127.0.0.1 behind a random access token and prints the URL to open (one line). Recordings can only be opened from --data-dir.',
  flags: {
    port: { type: 'string', description: 'TCP port (default: a free one)' },
    'data-dir': { type: 'string', description: 'directory recordings may be opened from (default: current directory)' },
    host: { type: 'string', description: 'address to bind (default 127.0.0.1)' },
    'models-dir': { type: 'string', description: 'shipped models (default resources/models)' },
    'renderer-dir': { type: 'string', description: 'built renderer (default out/renderer; run npm run build)' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length) throw new CliError(`serve takes no positional arguments (got ${positionals.join(' ')})`);
    const port = intFlag(flags, 'port', 0)!;
    if (port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got ${port}`);
    const dataDir = stringFlag(flags, 'data-dir', process.cwd())!;
    if (!existsSync(dataDir)) throw new CliError(`--data-dir ${dataDir} does not exist`);
    const host = stringFlag(flags, 'host', '127.0.0.1')!;
    const rendererDir = stringFlag(flags, 'renderer-dir', DEFAULT_RENDERER_DIR)!;
    if (!existsSync(`${rendererDir}/index.html`)) io.err(`warning: no built renderer in ${rendererDir} (run 'npm run build'); serving the API only`);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') io.err(`warning: listening on ${host}: anyone who can reach it and learns the token can open recordings in ${dataDir}`);
    const { ReviewService } = await import('../../services/review-service.js');
    const { startServer } = await import('../../server/server.js');
    const { renderPdfWithChromium } = await import('../../server/pdf.js');
    const service = new ReviewService({ dataDir, modelsDir: stringFlag(flags, 'models-dir', DEFAULT_MODELS_DIR)!, renderPdf: renderPdfWithChromium });
    const server = await startServer({ service, rendererDir, host, port });
    await io.out(`${server.url}\n`);
    await new Promise<void>((res) => {
      const stop = (): void => { res(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await service.dispose();
  },
};
