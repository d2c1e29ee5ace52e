/**
 * Facts about the MIT-BIH Arrhythmia Database that evaluations depend on.
 * Inter-patient split: de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG
 * morphology and heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
 */
export const MITDB_RECORDS = [
  '100', '101', '102', '103', '104', '105', '106', '107', '108', '109', '111', '112', '113', '114', '115', '116',
  '117', '118', '119', '121', '122', '123', '124', '200', '201', '202', '203', '205', '207', '208', '209', '210',
  '212', '213', '214', '215', '217', '219', '220', '221', '222', '223', '228', '230', '231', '232', '233', '234',
] as const;

/** Records with paced beats, excluded from EC57 statistics by default. */
export const MITDB_PACED_RECORDS = ['102', '104', '107', '217'] as const;

export const DS1 = [
  '101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122', '124', '201', '203', '205', '207',
  '208', '209', '215', '220', '223', '230',
] as const;

export const DS2 = [
  '100', '103', '105', '111', '113', '117', '121', '123', '200', '202', '210', '212', '213', '214', '219', '221',
  '222', '228', '231', '232', '233', '234',
] as const;

/** de Chazal et al. 2004, DS2 results (their Table VI), the bar a shipped classifier must clear. */
export const DE_CHAZAL_2004_DS2 = {
  N: { se: 86.9, ppv: 99.2 },
  S: { se: 75.9, ppv: 38.5 },
  V: { se: 77.7, ppv: 81.9 },
} as const;
