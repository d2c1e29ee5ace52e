/**
 * Hand-built EDF files for tests: every header field can be set to whatever a vendor (or a corrupt file)
 * would write, independently of our writer.
 */
export interface BuildSignal {
  label: string;
  dimension?: string;
  physicalMin?: string;
  physicalMax?: string;
  digitalMin?: string;
  digitalMax?: string;
  samplesPerRecord: number;
  /** Sample value for record r, index i (default: a ramp). Annotation signals get `tal` instead. */
  value?: (r: number, i: number) => number;
  /** TAL bytes for record r (annotation signals). */
  tal?: (r: number) => string;
}

export interface BuildEdf {
  signals: BuildSignal[];
  records: number;
  declaredRecords?: string;
  duration?: string;
  reserved?: string;
  patient?: string;
  recording?: string;
  startDate?: string;
  startTime?: string;
  headerBytes?: string;
  ns?: string;
  version?: string;
}

const pad = (s: string, w: number): string => s.slice(0, w).padEnd(w, ' ');

export function buildEdf(o: BuildEdf): Uint8Array {
  const ns = o.signals.length;
  let h = '';
  h += pad(o.version ?? '0', 8);
  h += pad(o.patient ?? 'X X X X', 80);
  h += pad(o.recording ?? 'Startdate 02-MAR-2002 X X X', 80);
  h += pad(o.startDate ?? '02.03.02', 8);
  h += pad(o.startTime ?? '10.20.30', 8);
  h += pad(o.headerBytes ?? String(256 * (ns + 1)), 8);
  h += pad(o.reserved ?? '', 44);
  h += pad(o.declaredRecords ?? String(o.records), 8);
  h += pad(o.duration ?? '1', 8);
  h += pad(o.ns ?? String(ns), 4);
  const f = (get: (s: BuildSignal) => string, w: number): void => { for (const s of o.signals) h += pad(get(s), w); };
  f((s) => s.label, 16);
  f(() => '', 80);
  f((s) => s.dimension ?? 'mV', 8);
  f((s) => s.physicalMin ?? '-3.2768', 8);
  f((s) => s.physicalMax ?? '3.2767', 8);
  f((s) => s.digitalMin ?? '-32768', 8);
  f((s) => s.digitalMax ?? '32767', 8);
  f(() => '', 80);
  f((s) => String(s.samplesPerRecord), 8);
  f(() => '', 32);
  const head = Buffer.from(h, 'latin1');
  const recordBytes = 2 * o.signals.reduce((a, s) => a + s.samplesPerRecord, 0);
  const out = Buffer.alloc(head.length + o.records * recordBytes);
  head.copy(out, 0);
  let p = head.length;
  for (let r = 0; r < o.records; r++) {
    for (const s of o.signals) {
      if (s.tal) {
        const t = Buffer.from(s.tal(r), 'utf8');
        t.copy(out, p, 0, Math.min(t.length, 2 * s.samplesPerRecord));
      } else {
        for (let i = 0; i < s.samplesPerRecord; i++) out.writeInt16LE(s.value ? s.value(r, i) : ((r * s.samplesPerRecord + i) % 20000) - 10000, p + 2 * i);
      }
      p += 2 * s.samplesPerRecord;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Overwrite a header field (space-padded) in a built or written EDF. */
export function patchField(bytes: Uint8Array, offset: number, width: number, value: string): Uint8Array {
  const b = Uint8Array.from(bytes);
  const v = Buffer.from(pad(value, width), 'latin1');
  b.set(v, offset);
  return b;
}
