/** A model directory on disk as a LiteModel, read by the same reader tfjs loading uses (sparse weights expanded). */
import { readModelFiles } from '../compress/model-files.js';
import { LiteModel } from './model.js';

export async function loadLiteModel(dir: string): Promise<LiteModel> {
  return LiteModel.fromFiles(await readModelFiles(dir));
}
