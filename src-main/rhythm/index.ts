export { RhythmError } from './errors.js';
export { beatsOfAnnotations, checkBeats, type LabelledBeats } from './beats.js';
export { alternationEpisodes, ectopicSalvos, summarizeEctopy, MAX_LISTED, TACHYCARDIA_BPM } from './ectopy.js';
export { nnIntervals, timeDomainHrv, HRV_SEGMENT_SECONDS, type NNIntervals } from './hrv.js';
export { findPauses, minuteRates, summarizeHeartRate } from './heart-rate.js';
export { DEFAULT_HOLTER_SETTINGS, summarizeHolter } from './summary.js';
