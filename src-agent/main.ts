/**
 * `ecg-review-agent --port <p> --data-dir <dir> [--host 127.0.0.1] [--name NAME] [--source <record>|stdin] [--runtime auto|lite|tfjs]
 *   [--speed 1] [--mdns] [--mdns-interface IP] [--mdns-port 5353] [--stdin-fs 360 --stdin-leads MLII,V5 --stdin-gain 200]`
 * Prints `pairing code: <code>` while unpaired and `listening on http://host:port` once up.
 */
import { readFileSync } from 'node:fs';
import { isEcgReviewError } from '../src-main/domain/errors.js';
import { CliError, helpText, intFlag, numberFlag, parseArgs, stringFlag, type FlagSpec } from '../src-main/cli/args.js';
import { Agent } from './agent.js';
import { advertise } from './advertise.js';
import { createModelRuntime, RUNTIME_CHOICES, type RuntimeChoice } from './model-runtime.js';

const FLAGS: Record<string, FlagSpec> = {
  port: { type: 'string', description: 'TCP port (0 = any free port)' },
  host: { type: 'string', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)' },
  'data-dir': { type: 'string', description: 'where models, tokens and state are kept' },
  name: { type: 'string', description: 'device name shown to apps (default: ecg-review-agent)' },
  source: { type: 'string', description: "ECG source to monitor at start: a recording path, or 'stdin'" },
  speed: { type: 'string', description: 'replay speed for a recording source (1 = real time)' },
  loop: { type: 'boolean', description: 'replay the recording source forever' },
  mdns: { type: 'boolean', description: 'advertise _ecgreview._tcp by mDNS' },
  'mdns-interface': { type: 'string', description: 'IPv4 address of the interface for mDNS' },
  'mdns-port': { type: 'string', description: 'mDNS UDP port (default 5353)' },
  'stdin-fs': { type: 'string', description: 'sampling rate of the stdin stream (default 360)' },
  'stdin-leads': { type: 'string', description: 'comma-separated lead names of the stdin stream (default MLII)' },
  'stdin-gain': { type: 'string', description: 'ADC units per mV of the stdin stream (default 200)' },
  'max-upload': { type: 'string', description: 'largest model upload accepted, bytes' },
  'recordings-dir': { type: 'string', multiple: true, description: 'a folder whose recordings apps may ask to replay (repeatable)' },
  runtime: { type: 'string', description: 'what runs the model: auto (default: the lite runtime when it supports the model, else TensorFlow.js), lite, tfjs' },
  backend: { type: 'string', description: 'tfjs backend to prefer: wasm (default), node, cpu' },
};

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText('ecg-review-agent --port <p> --data-dir <dir> [options]', 'The ECG Review device agent.', FLAGS));
    return;
  }
  const { flags } = parseArgs('agent', argv, FLAGS);
  const dataDir = stringFlag(flags, 'data-dir');
  if (!dataDir) throw new CliError('--data-dir is required');
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const choice = stringFlag(flags, 'runtime', 'auto') as RuntimeChoice;
  if (!RUNTIME_CHOICES.includes(choice)) throw new CliError(`--runtime must be one of ${RUNTIME_CHOICES.join(', ')}, not '${choice}'`);
  const runtime = await createModelRuntime({ runtime: choice, prefer: stringFlag(flags, 'backend') as 'wasm' | 'node' | 'cpu' | undefined });
  const agent = new Agent({
    dataDir,
    host: stringFlag(flags, 'host', '127.0.0.1'),
    port: intFlag(flags, 'port', 0),
    name: stringFlag(flags, 'name'),
    runtime,
    version,
    maxUploadBytes: intFlag(flags, 'max-upload'),
    recordingRoots: (flags['recordings-dir'] as string[] | undefined) ?? [],
  });
  await agent.start();
  let mdns: { stop: () => Promise<void> } | undefined;
  if (flags.mdns) {
    mdns = advertise(agent.hello().name, agent.address.port, agent.hello().deviceId, {
      interface: stringFlag(flags, 'mdns-interface'), port: intFlag(flags, 'mdns-port'),
    });
  }
  const source = stringFlag(flags, 'source');
  if (source === 'stdin') {
    await agent.startMonitoring({
      kind: 'stream', name: 'stdin', input: process.stdin,
      fs: numberFlag(flags, 'stdin-fs', 360)!, leads: (stringFlag(flags, 'stdin-leads', 'MLII')!).split(','), gain: numberFlag(flags, 'stdin-gain', 200)!,
    });
  } else if (source) {
    await agent.startMonitoring({ kind: 'replay', record: source, speed: numberFlag(flags, 'speed', 1)!, loop: Boolean(flags.loop) });
  }
  const shutdown = async (): Promise<void> => {
    await mdns?.stop();
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`ecg-review-agent: ${isEcgReviewError(e) ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`}`);
  process.exit(1);
});
