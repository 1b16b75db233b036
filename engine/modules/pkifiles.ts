/**
 * Shared by the certificate modules (openssl_privatekey, x509_certificate, kubeconfig):
 * read several PEM files of the target in ONE round trip, register private material as
 * secrets, and write a file through the common write path with a diff that never shows keys.
 */
import type { FileDiff, ModuleContext } from '../types.ts';
import { registerSecret } from '../secrets.ts';
import { fail } from './failure.ts';
import { planWrite, type WriteState } from './filewrite.ts';
import { readRemoteFiles, type RemoteFile } from './remotefile.ts';

/** Read PEM files (undefined paths are skipped); private keys are registered as secrets. */
export async function readPems(ctx: ModuleContext, paths: Record<string, string | undefined>, secret: string[] = []): Promise<Record<string, RemoteFile & { text?: string }>> {
  const names = Object.keys(paths).filter((k) => paths[k]);
  const files = await readRemoteFiles(ctx, names.map((k) => paths[k]!), { content: 'always', follow: true });
  const out: Record<string, RemoteFile & { text?: string }> = {};
  names.forEach((k, i) => {
    const f = files[i];
    const text = f.exists && f.type === 'file' ? f.content?.toString('utf8') : undefined;
    if (text && secret.includes(k)) registerSecret(text.trim());
    out[k] = { ...f, text };
  });
  return out;
}

/** The text of a PEM file that must exist, or a failed task naming the argument. */
export function needPem(f: (RemoteFile & { text?: string }) | undefined, arg: string, what: string): string {
  if (!f || !f.exists || !f.text) fail(`${arg}: ${what} ${f?.path ?? ''} not found on the target`);
  return f.text;
}

/**
 * Plan writing generated PEM/YAML `content` to `cur` (already read). `regenerate` forces new
 * content; otherwise the current content is kept and only attributes are planned. The diff is
 * a summary (`summaryBefore`/`summaryAfter`), never key material.
 */
export function planPemWrite(
  ctx: ModuleContext,
  cur: RemoteFile,
  content: Buffer,
  args: { mode?: unknown; owner?: string; group?: string },
  regenerate: boolean,
  summary: { before: string; after: string },
): { changed: boolean; steps: string[]; diff: FileDiff[]; state: WriteState } {
  const keep = !regenerate && cur.exists && cur.content ? cur.content : content;
  const p = planWrite({ dest: cur.path, content: keep, mode: args.mode, owner: args.owner, group: args.group }, cur, false);
  const diff: FileDiff[] = [];
  if (ctx.diff && p.changed) {
    diff.push({ before: summary.before, after: summary.after, beforeHeader: cur.exists ? cur.path : `${cur.path} (absent)`, afterHeader: cur.path });
  }
  return { ...p, diff };
}
