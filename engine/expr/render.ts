/**
 * Rendering template strings: `{% if %}`, `{% for %}`, `{% set %}` and output, native values for
 * a lone `{{ expr }}`, and Ansible 2.14's conversion of rendered literals (`"[ '{{ a }}' ]"`).
 */
import { ParseError } from '../types.ts';
import { type Ctx, makeCtx } from './context.ts';
import { ExprError } from './errors.ts';
import { checkLen } from './arith.ts';
import { ev } from './evaluator.ts';
import { parseExpression, parseTemplate, type Node } from './parse.ts';
import { deep, hasMarkers, need, produced, step } from './resolve.ts';
import { OMIT, isDict, pyIter, pyStr, truthy } from './values.ts';

/* ------------------------------------------------------------------ statements */

/** Output finalization: None renders as '', Undefined is an error, everything else str(). */
function outStr(v: unknown, ctx: Ctx): string {
  v = need(v, ctx);
  if (v === null || v === undefined) return '';
  return pyStr(deep(v, ctx));
}

function setLocal(ctx: Ctx, name: string, v: unknown): void {
  if (ctx.frames.length === 0) ctx.frames.push(new Map());
  ctx.frames[ctx.frames.length - 1].set(name, v);
}

function bindTarget(target: Node, v: unknown, ctx: Ctx): void {
  if (target.typename === 'Symbol') return setLocal(ctx, target.value, v);
  if (target.typename === 'Array') {
    const items = Array.isArray(v) ? v : pyIter(v);
    if (items.length !== target.children.length) {
      throw new ExprError(`cannot unpack ${items.length} values into ${target.children.length} names (in "${ctx.src}")`, ctx.opts.pos);
    }
    target.children.forEach((t: Node, i: number) => bindTarget(t, items[i], ctx));
    return;
  }
  throw new ParseError(`cannot assign to ${target.typename} (in "${ctx.src}")`, ctx.opts.pos);
}

function execNodes(list: Node[], ctx: Ctx, out: string[]): void {
  for (const n of list) execNode(n, ctx, out);
}

function execNode(n: Node, ctx: Ctx, out: string[]): void {
  if (!n || typeof n.typename !== 'string') throw new ParseError(`invalid template: "${ctx.src}"`, ctx.opts.pos);
  step(ctx);
  switch (n.typename) {
    case 'Root':
    case 'NodeList':
      return execNodes(n.children, ctx, out);
    case 'Output':
      for (const c of n.children) out.push(c.typename === 'TemplateData' ? String(c.value) : outStr(ev(c, ctx), ctx));
      return;
    case 'TemplateData':
      out.push(String(n.value));
      return;
    case 'If':
      if (truthy(need(ev(n.cond, ctx), ctx))) execNode(n.body, ctx, out);
      else if (n.else_) execNode(n.else_, ctx, out);
      return;
    case 'For': {
      const seq = deep(need(ev(n.arr, ctx), ctx), ctx);
      let items: unknown[];
      if (isDict(seq) && n.name.typename === 'Array' && n.name.children.length === 2) items = Object.entries(seq);
      else items = pyIter(seq);
      if (items.length === 0) {
        if (n.else_) execNode(n.else_, ctx, out);
        return;
      }
      const frame = new Map<string, unknown>();
      ctx.frames.push(frame);
      try {
        const len = items.length;
        items.forEach((it, i) => {
          frame.set('loop', {
            index: i + 1, index0: i, revindex: len - i, revindex0: len - i - 1, first: i === 0, last: i === len - 1, length: len,
            previtem: i > 0 ? items[i - 1] : null, nextitem: i < len - 1 ? items[i + 1] : null,
          });
          bindTarget(n.name, it, ctx);
          execNode(n.body, ctx, out);
        });
      } finally {
        ctx.frames.pop();
      }
      return;
    }
    case 'Set': {
      let v: unknown;
      if (n.value) v = need(ev(n.value, ctx), ctx);
      else {
        const buf: string[] = [];
        execNode(n.body, ctx, buf);
        v = buf.join('');
      }
      for (const t of n.targets) bindTarget(t, v, ctx);
      return;
    }
    case 'Capture':
      return execNode(n.body, ctx, out);
  }
  throw new ParseError(`unsupported template tag '${n.typename.toLowerCase()}' (in "${ctx.src}"); tsplay supports if, for and set`, ctx.opts.pos);
}

/** The single expression of a root that is exactly `{{ expr }}`, else undefined. */
export function singleExpr(root: Node): Node | undefined {
  const k = root.children;
  if (k.length !== 1 || k[0].typename !== 'Output' || k[0].children.length !== 1) return undefined;
  const e = k[0].children[0];
  return e.typename === 'TemplateData' ? undefined : e;
}

/** Render a template string in a context: native value for a lone `{{ expr }}`, else a string. */
export function renderIn(s: string, ctx: Ctx): unknown {
  const root = parseTemplate(s, ctx.opts.pos);
  const only = singleExpr(root);
  if (only) {
    const v = need(ev(only, ctx), ctx);
    return v === OMIT ? v : deep(v, ctx);
  }
  const out: string[] = [];
  execNode(root, ctx, out);
  const r = out.join('');
  checkLen(r.length);
  return literalResult(r, ctx);
}

const LITERAL_NODES = new Set(['Literal', 'Array', 'Dict', 'Pair', 'Group', 'Neg', 'Pos']);

function isLiteralTree(n: Node | null | undefined): boolean {
  if (!n) return true;
  if (n.typename === 'Symbol') return n.value === 'True' || n.value === 'False' || n.value === 'None';
  if (!LITERAL_NODES.has(n.typename)) return false;
  if (n.typename === 'Literal') return !(n.value instanceof RegExp);
  if (n.typename === 'Pair') return isLiteralTree(n.key) && isLiteralTree(n.value);
  if (n.typename === 'Neg' || n.typename === 'Pos') return isLiteralTree(n.target);
  return n.children.every((c: Node) => isLiteralTree(c));
}

/**
 * Ansible 2.14 turns a rendered string that looks like a list, dict or bool into that value
 * (`"[ '{{ a }}', '{{ b }}' ]"` is a list). Only Python literals are converted.
 */
function literalResult(r: string, ctx: Ctx): unknown {
  const t = r.trim();
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (!((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) || hasMarkers(t)) return r;
  let node: Node;
  try {
    node = parseExpression(t);
  } catch {
    return r;
  }
  if (!isLiteralTree(node)) return r;
  try {
    return produced(ev(node, makeCtx({}, ctx.opts, t, ctx.run)), ctx);
  } catch {
    return r;
  }
}
