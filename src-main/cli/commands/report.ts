import { writeFile } from 'node:fs/promises';
import { CliError, stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { waitForJob } from '../jobs.js';
import { DEFAULT_MODELS_DIR } from './serve.js';

export const command: Command = {
  name: 'report',
  usage: 'ecg-review report <record> --out report.html [--model ID] [--pdf report.pdf] [--csv beats.csv]',
  summary: 'Classify a recording and write the review report: self-contained HTML, optionally PDF (system Chromium) and a CSV of every beat.',
  flags: {
    out: { type: 'string', description: 'HTML report file' },
    pdf: { type: 'string', description: 'PDF report file (needs chromium)' },
    csv: { type: 'string', description: 'CSV of every beat' },
    model: { type: 'string', description: 'model id (default: the first shipped model)' },
    'models-dir': { type: 'string', description: 'shipped models (default resources/models)' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('report takes exactly one <record>');
    const out = stringFlag(flags, 'out');
    if (!out) throw new CliError('--out <file.html> is required');
    const { ReviewService } = await import('../../services/review-service.js');
    const { renderPdfWithChromium } = await import('../../server/pdf.js');
    const pdf = stringFlag(flags, 'pdf');
    const service = new ReviewService({ modelsDir: stringFlag(flags, 'models-dir', DEFAULT_MODELS_DIR)!, renderPdf: pdf ? renderPdfWithChromium : undefined });
    try {
      const rec = await service.openRecording(positionals[0]);
      const models = await service.listModels();
      const modelId = stringFlag(flags, 'model', models[0].id)!;
      const [runId] = await waitForJob(service, (await service.startClassification([rec.id], modelId)).jobId, io);
      const rep = await service.exportReport({ runId, corrections: [] });
      await writeFile(out, rep.html);
      if (pdf) {
        if (!rep.pdfBase64) throw new CliError(rep.pdfError ?? 'no PDF produced');
        await writeFile(pdf, Buffer.from(rep.pdfBase64, 'base64'));
      }
      const csv = stringFlag(flags, 'csv');
      if (csv) await writeFile(csv, rep.csv);
      await io.out(`${[out, pdf, csv].filter(Boolean).join('\n')}\n`);
    } finally {
      await service.dispose();
    }
  },
};
