/**
 * Child process of edf.bench.ts: opens the recording given on the command line (any format), reads it in full
 * (`full`) or only starts (`baseline`), and prints JSON with the time and this process's peak RSS (VmHWM), so
 * the parent's own memory does not pollute the figure.
 */
import { readFileSync } from 'node:fs';
import { openRecording } from '../../src-main/formats/index.js';

function peakMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

const [path, mode] = process.argv.slice(2);
const out: Record<string, number> = {};
if (mode === 'full') {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await openRecording(path);
  const t1 = performance.now();
  const r = await s.read();
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  out.cpuMs = (cpu.user + cpu.system) / 1000;
  out.openMs = t1 - t0;
  out.readMs = t2 - t1;
  out.samples = r.signals.reduce((a, x) => a + x.samples.length, 0);
  out.dataMb = r.signals.reduce((a, x) => a + x.samples.byteLength, 0) / 2 ** 20;
}
out.peakMb = peakMb();
console.log(JSON.stringify(out));
