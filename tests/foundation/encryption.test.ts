import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveEncryptionKey, SecretBox, TamperedSecretError } from '../../src/security/encryption.js';

describe('secrets at rest', () => {
  const box = new SecretBox(Buffer.alloc(32, 3).toString('base64'));

  it('round-trips and never stores the plain text', () => {
    const sealed = box.encrypt('EAAGm0PX4ZCpsBA-access-token');
    expect(sealed).not.toContain('EAAGm0PX4ZCpsBA');
    expect(box.decrypt(sealed)).toBe('EAAGm0PX4ZCpsBA-access-token');
    expect(box.encrypt('same')).not.toBe(box.encrypt('same')); // fresh nonce each time
  });

  it('rejects tampered ciphertext, tag or nonce, and another key', () => {
    const sealed = box.encrypt('refresh-token-value');
    const parts = sealed.split('.');
    for (const i of [1, 2, 3]) {
      const p = [...parts];
      const bytes = Buffer.from(p[i]!, 'base64');
      bytes[0] = bytes[0]! ^ 0xff;
      p[i] = bytes.toString('base64');
      expect(() => box.decrypt(p.join('.'))).toThrow(TamperedSecretError);
    }
    expect(() => box.decrypt('garbage')).toThrow(TamperedSecretError);
    const other = new SecretBox(Buffer.alloc(32, 4).toString('base64'));
    expect(() => other.decrypt(sealed)).toThrow(TamperedSecretError);
  });

  it('generates a development key once into DATA_DIR with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wa-key-'));
    const k1 = resolveEncryptionKey(undefined, dir);
    const k2 = resolveEncryptionKey(undefined, dir);
    expect(k1).toBe(k2);
    expect(Buffer.from(k1, 'base64')).toHaveLength(32);
    expect(statSync(path.join(dir, 'encryption.key')).mode & 0o777).toBe(0o600);
    expect(resolveEncryptionKey('configured-key', dir)).toBe('configured-key');
  });
});
