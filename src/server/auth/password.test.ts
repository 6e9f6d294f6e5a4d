import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';

describe('password hashes', () => {
  it('stores scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key', async () => {
    const h = await hashPassword('correct horse battery');
    const [alg, n, r, p, salt, key] = h.split('$');
    expect([alg, n, r, p]).toEqual(['scrypt', String(2 ** 15), '8', '1']);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    // The key is scrypt of the password with exactly those parameters (an independent computation).
    const ref = scryptSync('correct horse battery', Buffer.from(salt, 'base64'), 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(ref.toString('base64')).toBe(key);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const h = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const a = await hashPassword('same password here');
    const b = await hashPassword('same password here');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', b)).toBe(true);
  });

  it('rejects malformed or hostile stored hashes instead of throwing', async () => {
    for (const bad of [
      '',
      'scrypt$x',
      'bcrypt$1$2$3$4$5',
      'scrypt$1000$8$1$AAAA$AAAA',
      'scrypt$1073741824$8$1$AAAA$AAAA',
    ]) {
      expect(await verifyPassword('whatever password', bad)).toBe(false);
    }
  });
});
