/** Signal conditioning, QRS detection and beat segmentation. */
export { SignalError } from './errors.js';
export { BiquadCascade, butterworthHighPass, butterworthLowPass, filtfilt, magnitudeAt, notchSection, type Biquad, type FloatArray } from './biquad.js';
export { ecgClean, EcgCleaner, cleanSections, type CleanPurpose, type EcgCleanOptions } from './ecg-clean.js';
export { notch, NotchFilter, notchSections, type NotchOptions } from './notch.js';
export { removeBaseline, medianFilter, type RemoveBaselineOptions } from './remove-baseline.js';
export { resample, Resampler } from './resample.js';
export { detectQrs, QrsDetector, type QrsDetectorOptions } from './detect-qrs.js';
export { detectQrsFast, FastQrsDetector, type FastQrsDetectorOptions } from './detect-qrs-fast.js';
export type { NoiseGateOptions } from './noise-gate.js';
export { segmentBeats, RR_FEATURE_NAMES, type BeatSegments, type SegmentOptions } from './segment-beats.js';
export { detectQrsLive, LiveQrsDetector, type LiveQrsDetectorOptions } from './detect-qrs-live.js';
export { atrialActivity, atrialActivityOfLead, keepLarger, LiveAtrialActivity, type AtrialActivityOptions } from './atrial-activity.js';
