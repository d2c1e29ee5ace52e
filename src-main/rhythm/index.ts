export { RhythmError } from './errors.js';
export { beatsOfAnnotations, checkBeats, type LabelledBeats } from './beats.js';
export { alternationEpisodes, ectopicSalvos, summarizeEctopy, MAX_LISTED, TACHYCARDIA_BPM } from './ectopy.js';
export { heartRateVariability, nnIntervals, HRV_SEGMENT_SECONDS, type NNIntervals } from './hrv.js';
export { HRV_BANDS, lombSpectrum, segmentSpectra } from './hrv-spectrum.js';
export { findPauses, minuteRates, summarizeHeartRate } from './heart-rate.js';
export { DEFAULT_HOLTER_SETTINGS, summarizeHolter, summarizeHolterWithEpisodes, supraventricularOutsideAf } from './summary.js';
export { DEFAULT_LIVE_ALARMS, RhythmAlarms, type LiveAlarm, type LiveAlarmSettings } from './live-alarms.js';
export { afRhythmAnnotations, afScores, supraventricularIrregularity, supraventricularScores, atrialFibrillationEpisodes, DEFAULT_AF_SETTINGS, type AfSettings } from './atrial-fibrillation.js';
