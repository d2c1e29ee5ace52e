/** Fail a promise that has not settled after `ms`: property tests must catch an importer that hangs. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`hang: no answer in ${ms} ms`)), ms); });
  try { return await Promise.race([p, t]); } finally { clearTimeout(timer); }
}
