/**
 * Framing of keeper messages on the unix socket: each frame is
 *   u32 BE  length of the rest of the frame
 *   u32 BE  length of the JSON header
 *   header  UTF-8 JSON object; its `b` field lists the byte lengths of the payloads
 *   payloads raw bytes, back to back (stdin, stdout, stderr, file content: never re-encoded)
 */

/** A decoded frame: the header object and its binary payloads. */
export interface Frame<H = Record<string, unknown>> {
  header: H;
  bufs: Buffer[];
}

/** Largest frame accepted (a whole file travels in one frame). */
export const MAX_FRAME = 1024 * 1024 * 1024;

/** A frame as the buffers to write in order (large payloads are not copied). */
export function encodeFrameParts(header: Record<string, unknown>, bufs: readonly Buffer[] = []): Buffer[] {
  const h = Buffer.from(JSON.stringify({ ...header, b: bufs.map((b) => b.length) }), 'utf8');
  const body = h.length + bufs.reduce((n, b) => n + b.length, 0) + 4;
  if (body > MAX_FRAME) throw new Error(`frame too large (${body} bytes)`);
  const head = Buffer.allocUnsafe(8 + h.length);
  head.writeUInt32BE(body, 0);
  head.writeUInt32BE(h.length, 4);
  h.copy(head, 8);
  const small = bufs.filter((b) => b.length > 0);
  // one write for small frames (most replies), separate writes for big payloads
  if (small.reduce((n, b) => n + b.length, 0) < 64 * 1024) return [Buffer.concat([head, ...small])];
  return [head, ...small];
}

/** Encode a header and payloads into one frame. */
export function encodeFrame(header: Record<string, unknown>, bufs: readonly Buffer[] = []): Buffer {
  return Buffer.concat(encodeFrameParts(header, bufs));
}

/** Write a frame to a socket (or any stream) without joining big payloads. */
export function writeFrame(out: { write(b: Buffer): unknown; cork?(): void; uncork?(): void }, header: Record<string, unknown>, bufs: readonly Buffer[] = []): void {
  const parts = encodeFrameParts(header, bufs);
  if (parts.length === 1) {
    out.write(parts[0]);
    return;
  }
  out.cork?.();
  for (const p of parts) out.write(p);
  out.uncork?.();
}

/** Incremental decoder: push socket chunks, get whole frames. Throws on a malformed stream. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private have = 0;

  /** Add bytes; returns the frames completed by them (in order). */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.have += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.have < 4) break;
      const head = this.peek(4);
      const body = head.readUInt32BE(0);
      if (body < 4 || body > MAX_FRAME) throw new Error(`bad frame length ${body}`);
      if (this.have < 4 + body) break;
      const all = this.take(4 + body);
      const hl = all.readUInt32BE(4);
      if (hl > body - 4) throw new Error(`bad header length ${hl}`);
      const header = JSON.parse(all.subarray(8, 8 + hl).toString('utf8')) as Record<string, unknown>;
      const lens = Array.isArray(header.b) ? (header.b as unknown[]) : [];
      const bufs: Buffer[] = [];
      let at = 8 + hl;
      for (const l of lens) {
        if (typeof l !== 'number' || l < 0 || at + l > all.length) throw new Error('bad payload lengths');
        bufs.push(all.subarray(at, at + l));
        at += l;
      }
      if (at !== all.length) throw new Error('payload lengths do not match the frame');
      delete header.b;
      out.push({ header, bufs });
    }
    return out;
  }

  /** The first n bytes without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const first: Buffer[] = [];
    let got = 0;
    for (const c of this.chunks) {
      first.push(c);
      got += c.length;
      if (got >= n) break;
    }
    return Buffer.concat(first).subarray(0, n);
  }

  /** Consume exactly n bytes (joined only once a whole frame is there). */
  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
    return frame;
  }
}
