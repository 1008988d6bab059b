import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded PostgreSQL: PGlite (real PostgreSQL compiled to WASM) served over the PostgreSQL wire
 * protocol on loopback, so the app, pg-boss and the tests use the same `pg` code as on a server.
 *
 * PGlite is ONE session shared by every client connection. pglite-socket keeps a transaction to its
 * connection, but it interleaves the messages of an extended-protocol exchange (Parse, Bind, Execute,
 * Sync) between connections. SessionQueue hands the session to one connection from its first
 * message until its exchange ends (Sync / simple Query) outside a transaction.
 */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

function endsExchange(message: Uint8Array): boolean {
  const type = message[0];
  if (type === SYNC || type === QUERY || type === TERMINATE) return true;
  // Startup/SSL packets carry no type byte: they start with a 4-byte length whose first byte is 0.
  return type === 0;
}

class SessionQueue {
  private readonly queue: QueuedMessage[] = [];
  private draining = false;
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const index = this.owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === this.owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const [item] = this.queue.splice(index, 1) as [QueuedMessage];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (err) {
          this.owner = this.db.isInTransaction() ? item.handlerId : null;
          item.reject(err);
          continue;
        }
        this.owner = endsExchange(item.message) && !this.db.isInTransaction() ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.draining = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i]!;
      if (q.handlerId === handlerId) {
        this.queue.splice(i, 1);
        q.reject(new Error('connection closed'));
      }
    }
  }

  /** A connection that dies mid-transaction must not leave the shared session inside it. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    void this.drain();
  }
}

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

export class DataDirInUseError extends Error {}

/** Only one process may open a PGlite data directory: a pid lock file says who holds it. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, 'postmaster.lock');
  const tryLock = (): boolean => {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      return false;
    }
  };
  if (!tryLock()) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    let alive = false;
    try {
      if (pid > 0) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false; // the holder died without cleaning up: the lock is stale
    }
    if (alive) {
      throw new DataDirInUseError(
        `the embedded database in ${dir} is in use by ${pid === process.pid ? 'this process' : `another process (pid ${pid})`}; stop it first or set DATA_DIR`,
      );
    }
    rmSync(lockFile, { force: true });
    if (!tryLock()) throw new DataDirInUseError(`could not lock the embedded database in ${dir}`);
  }
  return () => rmSync(lockFile, { force: true });
}

/** Starts PGlite (in memory when `dataDir` is undefined) and serves it on 127.0.0.1 at a free port. */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let db: PGlite | undefined;
  try {
    db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    (server as unknown as { queryQueue: SessionQueue }).queryQueue = new SessionQueue(db);
    await server.start();
    const port = (server as unknown as { port: number }).port;
    const pglite = db;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async close() {
        await server.stop();
        await pglite.close();
        unlock();
      },
    };
  } catch (err) {
    await db?.close().catch(() => {});
    unlock();
    throw err;
  }
}
