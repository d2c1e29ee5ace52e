/**
 * Pairing and tokens. While no app is paired the agent shows a one-time code on its console; an app exchanges
 * it for a bearer token. Only SHA-256 hashes of tokens are stored. A paired app may ask for a fresh code (to
 * pair a second app), which is again shown only on the device's console. Wrong codes are counted: after five,
 * the code is replaced, so guessing needs physical access to the console for each new code.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fsutil.js';

interface StoredToken { id: string; hash: string; client: string; createdAt: string }

const hash = (t: string): string => createHash('sha256').update(t).digest('hex');

export class Pairing {
  private tokens: StoredToken[] = [];
  private code: string | null = null;
  private wrongAttempts = 0;

  private constructor(private readonly file: string, private readonly announce: (code: string) => void) {}

  static async open(dataDir: string, announce: (code: string) => void): Promise<Pairing> {
    const p = new Pairing(join(dataDir, 'auth.json'), announce);
    try {
      const raw = JSON.parse(await readFile(p.file, 'utf8')) as { tokens?: StoredToken[] };
      p.tokens = Array.isArray(raw.tokens) ? raw.tokens : [];
    } catch {
      p.tokens = [];
    }
    if (p.tokens.length === 0) p.newCode();
    return p;
  }

  get paired(): boolean {
    return this.tokens.length > 0;
  }

  /** Make and show a new one-time code (replacing any previous one). */
  newCode(): void {
    this.code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.wrongAttempts = 0;
    this.announce(this.code);
  }

  async pair(code: string, client: string): Promise<{ token: string; tokenId: string } | null> {
    if (!this.code || typeof code !== 'string' || code.length !== this.code.length ||
      !timingSafeEqual(Buffer.from(code), Buffer.from(this.code))) {
      if (this.code && ++this.wrongAttempts >= 5) this.newCode();
      return null;
    }
    this.code = null;
    const token = randomBytes(32).toString('base64url');
    const entry: StoredToken = { id: randomUUID(), hash: hash(token), client: String(client).slice(0, 100), createdAt: new Date().toISOString() };
    this.tokens.push(entry);
    await this.save();
    return { token, tokenId: entry.id };
  }

  /** The token's id when it is valid. */
  check(token: string | undefined): string | null {
    if (!token) return null;
    const h = Buffer.from(hash(token));
    for (const t of this.tokens) if (timingSafeEqual(h, Buffer.from(t.hash))) return t.id;
    return null;
  }

  async revoke(tokenId: string): Promise<boolean> {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.id !== tokenId);
    if (this.tokens.length === before) return false;
    await this.save();
    if (this.tokens.length === 0) this.newCode();
    return true;
  }

  list(): { id: string; client: string; createdAt: string }[] {
    return this.tokens.map(({ id, client, createdAt }) => ({ id, client, createdAt }));
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ tokens: this.tokens }, null, 2));
  }
}
