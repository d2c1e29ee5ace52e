export { parseWfdbHeader, wfdbStartTime, type WfdbHeader, type WfdbSignalSpec } from './header.js';
export { WFDB_FORMATS, type WfdbFormat } from './signal-formats.js';
export { openWfdbRecord, readWfdbHeaderFile, wfdbRecordBase, wfdbRecordName, MAX_WFDB_SAMPLES, MAX_WINDOW_SAMPLES } from './record.js';
export { decodeWfdbAnnotations, decodeWfdbAnnotationsWithLayout, type WfdbAnnotationLayout, encodeWfdbAnnotations, readWfdbAnnotationFile, writeWfdbAnnotationFile } from './annotations.js';
export { openWfdbSingleSegment } from './record.js';
export {
  clipToFormat, encodeSamples, formatRange, formatWfdbHeader, wfdbChecksum, writeWfdbMultiSegmentHeader, writeWfdbRecord,
  type WfdbRecordToWrite, type WfdbSignalToWrite,
} from './write.js';
