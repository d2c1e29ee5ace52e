/**
 * ISHNE Holter Standard Output File Format 1.0 (Badilini F., "The ISHNE Holter Standard Output File Format",
 * Ann Noninvasive Electrocardiol 1998;3:263-266). Little-endian throughout:
 *
 *   0   magic "ISHNE1.0" (8)            8  CRC-16 CCITT (uint16) of bytes 10 .. start of ECG block
 *   10  fixed header, 512 bytes:
 *       +0 var-length block size (int32)   +4 ECG samples per lead (int32)
 *       +8 offset of var block (int32)     +12 offset of ECG block (int32)   +16 file version (int16)
 *       +18 first name (40)  +58 last name (40)  +98 id (20)  +118 sex (int16)  +120 race (int16)
 *       +122 birth date d,m,y (3×int16)  +128 record date  +134 file date  +140 start time h,m,s
 *       +146 number of leads (int16)  +148 lead spec (12×int16)  +172 lead quality (12×int16)
 *       +196 amplitude resolution in nV (12×int16)  +220 pacemaker (int16)  +222 recorder type (40)
 *       +262 sampling rate (int16)  +264 proprietary (80)  +344 copyright (80)  +424 reserved (88)
 *   522 variable-length block (free text), then the ECG block: int16 samples interleaved by lead.
 */
export const ISHNE_MAGIC = 'ISHNE1.0';
export const ISHNE_HEADER_BYTES = 522;

/** Lead specification codes of the standard. */
export const ISHNE_LEADS = [
  'unknown', 'generic bipolar', 'X bipolar', 'Y bipolar', 'Z bipolar', 'I', 'II', 'III', 'aVR', 'aVL', 'aVF',
  'V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'ES', 'AS', 'AI',
];

export interface IshneHeader {
  checksum: number;
  varBlockSize: number;
  samplesPerLead: number;
  varBlockOffset: number;
  ecgOffset: number;
  fileVersion: number;
  firstName: string;
  lastName: string;
  id: string;
  sex: number;
  race: number;
  birthDate: [number, number, number];
  recordDate: [number, number, number];
  fileDate: [number, number, number];
  startTime: [number, number, number];
  nLeads: number;
  leadSpec: number[];
  leadQuality: number[];
  resolution: number[];
  pacemaker: number;
  recorder: string;
  samplingRate: number;
  proprietary: string;
  copyright: string;
}

/** CRC-16 CCITT (polynomial 0x1021, initial value 0xFFFF, no reflection), as the ISHNE standard specifies. */
export function crc16Ccitt(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i] << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function str(b: Uint8Array, from: number, len: number): string {
  let s = '';
  for (let i = from; i < from + len && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s.trim();
}

/** Parse the first 522 bytes (magic, CRC, fixed header). No validation beyond decoding. */
export function decodeIshneHeader(b: Uint8Array): IshneHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const i16 = (o: number): number => v.getInt16(o, true);
  const i32 = (o: number): number => v.getInt32(o, true);
  const triple = (o: number): [number, number, number] => [i16(o), i16(o + 2), i16(o + 4)];
  const arr = (o: number): number[] => Array.from({ length: 12 }, (_, k) => i16(o + 2 * k));
  const F = 10;
  return {
    checksum: v.getUint16(8, true),
    varBlockSize: i32(F),
    samplesPerLead: i32(F + 4),
    varBlockOffset: i32(F + 8),
    ecgOffset: i32(F + 12),
    fileVersion: i16(F + 16),
    firstName: str(b, F + 18, 40),
    lastName: str(b, F + 58, 40),
    id: str(b, F + 98, 20),
    sex: i16(F + 118),
    race: i16(F + 120),
    birthDate: triple(F + 122),
    recordDate: triple(F + 128),
    fileDate: triple(F + 134),
    startTime: triple(F + 140),
    nLeads: i16(F + 146),
    leadSpec: arr(F + 148),
    leadQuality: arr(F + 172),
    resolution: arr(F + 196),
    pacemaker: i16(F + 220),
    recorder: str(b, F + 222, 40),
    samplingRate: i16(F + 262),
    proprietary: str(b, F + 264, 80),
    copyright: str(b, F + 344, 80),
  };
}

/** Encode magic + fixed header (CRC left 0; the writer fills it once the variable block is known). */
export function encodeIshneHeader(h: Omit<IshneHeader, 'checksum'>): Uint8Array {
  const b = new Uint8Array(ISHNE_HEADER_BYTES);
  const v = new DataView(b.buffer);
  const F = 10;
  for (let k = 0; k < 8; k++) b[k] = ISHNE_MAGIC.charCodeAt(k);
  const s = (o: number, len: number, t: string): void => {
    for (let k = 0; k < Math.min(len - 1, t.length); k++) { const c = t.charCodeAt(k); b[o + k] = c < 256 ? c : 63; }
  };
  const i16 = (o: number, x: number): void => v.setInt16(o, x, true);
  const triple = (o: number, t: number[]): void => t.forEach((x, k) => i16(o + 2 * k, x));
  v.setInt32(F, h.varBlockSize, true);
  v.setInt32(F + 4, h.samplesPerLead, true);
  v.setInt32(F + 8, h.varBlockOffset, true);
  v.setInt32(F + 12, h.ecgOffset, true);
  i16(F + 16, h.fileVersion);
  s(F + 18, 40, h.firstName);
  s(F + 58, 40, h.lastName);
  s(F + 98, 20, h.id);
  i16(F + 118, h.sex);
  i16(F + 120, h.race);
  triple(F + 122, h.birthDate);
  triple(F + 128, h.recordDate);
  triple(F + 134, h.fileDate);
  triple(F + 140, h.startTime);
  i16(F + 146, h.nLeads);
  for (let k = 0; k < 12; k++) {
    i16(F + 148 + 2 * k, h.leadSpec[k] ?? -9);
    i16(F + 172 + 2 * k, h.leadQuality[k] ?? -9);
    i16(F + 196 + 2 * k, h.resolution[k] ?? -9);
  }
  i16(F + 220, h.pacemaker);
  s(F + 222, 40, h.recorder);
  i16(F + 262, h.samplingRate);
  s(F + 264, 80, h.proprietary);
  s(F + 344, 80, h.copyright);
  return b;
}
