import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where file bytes live. Local disk by default; an object store can implement the same four calls. */
export interface MediaStorage {
  /** Stores the bytes under a new key and returns it. */
  put(p: { portalId: number; bytes: Buffer; mimeType?: string; filename?: string | null }): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  describe: string;
}

/** Files under `<DATA_DIR>/media/<portalId>/<yyyy-mm>/<uuid>`, written atomically (temp file + rename). */
export class LocalDiskStorage implements MediaStorage {
  readonly describe: string;
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'media');
    this.describe = `local disk (${this.root})`;
  }

  private pathOf(key: string): string {
    if (!/^[0-9]+\/\d{4}-\d{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error('invalid media storage key');
    return path.join(this.root, key);
  }

  async put(p: { portalId: number; bytes: Buffer }): Promise<{ key: string; sha256: string; size: number }> {
    const month = new Date().toISOString().slice(0, 7);
    const key = `${p.portalId}/${month}/${randomUUID()}`;
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, p.bytes, { mode: 0o600 });
    await rename(tmp, file);
    return { key, sha256: createHash('sha256').update(p.bytes).digest('hex'), size: p.bytes.length };
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
