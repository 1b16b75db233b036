/**
 * SHA-crypt (`$5$` SHA-256 and `$6$` SHA-512, Ulrich Drepper's specification), as produced by
 * glibc crypt(3), `openssl passwd -6` and Ansible's password_hash filter. MD5-crypt (`$1$`) too.
 */
import { createHash, randomInt } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function b64from24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = '';
  for (let i = 0; i < n; i++) {
    s += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return s;
}

const ORDER512: [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];
const ORDER256: [number, number, number][] = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29],
];

/** A random crypt salt of `n` characters from [./0-9A-Za-z]. */
export function randomSalt(n = 16): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ITOA64[randomInt(64)];
  return s;
}

/** SHA-crypt of `password` with `salt` (max 16 chars used) and `rounds` (5000 = default, omitted). */
export function shaCrypt(password: string, salt: string, bits: 256 | 512 = 512, rounds = 5000): string {
  const algo = bits === 512 ? 'sha512' : 'sha256';
  const hl = bits / 8;
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const R = Math.max(1000, Math.min(999_999_999, Math.trunc(rounds)));
  const H = () => createHash(algo);
  const B = H().update(P).update(S).update(P).digest();
  const A = H().update(P).update(S);
  for (let i = P.length; i > 0; i -= hl) A.update(i > hl ? B : B.subarray(0, i));
  for (let i = P.length; i > 0; i >>= 1) A.update(i & 1 ? B : P);
  const DA = A.digest();
  const dp = H();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const DP = dp.digest();
  const Ps = Buffer.alloc(P.length);
  for (let i = 0; i < P.length; i++) Ps[i] = DP[i % hl];
  const ds = H();
  for (let i = 0; i < 16 + DA[0]; i++) ds.update(S);
  const DS = ds.digest();
  const Ss = Buffer.alloc(S.length);
  for (let i = 0; i < S.length; i++) Ss[i] = DS[i % hl];
  let C = DA;
  for (let r = 0; r < R; r++) {
    const h = H();
    h.update(r & 1 ? Ps : C);
    if (r % 3) h.update(Ss);
    if (r % 7) h.update(Ps);
    h.update(r & 1 ? C : Ps);
    C = h.digest();
  }
  let out = '';
  if (bits === 512) {
    for (const [a, b, c] of ORDER512) out += b64from24(C[a], C[b], C[c], 4);
    out += b64from24(0, 0, C[63], 2);
  } else {
    for (const [a, b, c] of ORDER256) out += b64from24(C[a], C[b], C[c], 4);
    out += b64from24(0, C[31], C[30], 3);
  }
  const id = bits === 512 ? '6' : '5';
  const rs = rounds === 5000 ? '' : `rounds=${R}$`;
  return `$${id}$${rs}${S.toString('utf8')}$${out}`;
}

/** MD5-crypt (`$1$`), for `password_hash('md5')`. */
export function md5Crypt(password: string, salt: string): string {
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from('$1$');
  const alt = createHash('md5').update(P).update(S).update(P).digest();
  const ctx = createHash('md5').update(P).update(magic).update(S);
  for (let i = P.length; i > 0; i -= 16) ctx.update(alt.subarray(0, Math.min(16, i)));
  for (let i = P.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : P.subarray(0, 1));
  let fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5');
    h.update(i & 1 ? P : fin);
    if (i % 3) h.update(S);
    if (i % 7) h.update(P);
    h.update(i & 1 ? fin : P);
    fin = h.digest();
  }
  const f = fin;
  const out = b64from24(f[0], f[6], f[12], 4) + b64from24(f[1], f[7], f[13], 4) + b64from24(f[2], f[8], f[14], 4) +
    b64from24(f[3], f[9], f[15], 4) + b64from24(f[4], f[10], f[5], 4) + b64from24(0, 0, f[11], 2);
  return `$1$${S.toString('utf8')}$${out}`;
}
