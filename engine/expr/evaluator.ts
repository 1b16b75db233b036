/**
 * The safe tree-walking interpreter for nunjucks ASTs with Python/Jinja semantics.
 * No JavaScript eval, no nunjucks compiler; attribute access reads own properties of plain
 * dicts/lists/strings only, so prototypes (`__proto__`, `constructor`) are unreachable.
 */
import { ParseError } from '../types.ts';
import type { Ctx } from './context.ts';
import { ExprError } from './errors.ts';
import { callMethod } from './methods.ts';
import type { Node } from './parse.ts';
import { filters, bareName } from './registry.ts';
import { applyFilter, applyTest, callGlobal, located } from './calls.ts';
import { binop, checkLen, num } from './arith.ts';
import { deep, getItem, lookupVar, need, pathText, produced, sliceOf, step } from './resolve.ts';
import { Undefined, asStr, pyCmp, pyEq, pyIn, pyStr, setKey, truthy, typeName } from './values.ts';

export {
  setVaultDecryptor, revealVault, hasMarkers, need, resolveLeaf, deep, produced, pathText, getItem,
} from './resolve.ts';
export { applyFilter, applyTest } from './calls.ts';
export { renderIn, singleExpr } from './render.ts';

function evalArgs(nodes: Node[], ctx: Ctx, allowUndefined = false): { args: unknown[]; kw: Record<string, unknown> } {
  const args: unknown[] = [];
  const kw: Record<string, unknown> = Object.create(null);
  for (const a of nodes) {
    if (a.typename === 'KeywordArgs') {
      for (const p of a.children) {
        const v = ev(p.value, ctx);
        kw[p.key.value] = allowUndefined && v instanceof Undefined ? v : deep(need(v, ctx), ctx);
      }
    } else {
      const v = ev(a, ctx);
      args.push(allowUndefined && v instanceof Undefined ? v : deep(need(v, ctx), ctx));
    }
  }
  return { args, kw };
}

/** The name of a test on the right of `is`. */
function testName(n: Node): string | undefined {
  if (n.typename === 'Symbol') return n.value;
  if (n.typename === 'Literal') return n.value === null ? 'none' : n.value === true ? 'true' : n.value === false ? 'false' : undefined;
  if (n.typename === 'LookupVal') {
    const base = testName(n.target);
    return base && n.val.typename === 'Literal' ? `${base}.${n.val.value}` : undefined;
  }
  return undefined;
}


/* ------------------------------------------------------------------ the walker */

/** Evaluate an expression node to a value (may return Undefined for missing lookups). */
export function ev(n: Node, ctx: Ctx): unknown {
  if (!n || typeof n.typename !== 'string') throw new ParseError(`invalid expression: "${ctx.src}"`, ctx.opts.pos);
  step(ctx);
  switch (n.typename) {
    case 'Literal':
      if (n.value instanceof RegExp) throw new ParseError(`regular expression literals (r/.../) are not supported; use a string (in "${ctx.src}")`, ctx.opts.pos);
      return n.value === undefined ? null : n.value;
    case 'Symbol':
      return lookupVar(n.value, ctx);
    case 'LookupVal': {
      const target = ev(n.target, ctx);
      if (n.val.typename === 'Slice') {
        const s = n.val;
        const opt = (x: Node | null) => (x ? need(ev(x, ctx), ctx) : null);
        return produced(sliceOf(need(target, ctx), opt(s.start), opt(s.stop), opt(s.step), ctx), ctx);
      }
      const key = need(ev(n.val, ctx), ctx);
      return getItem(target, key, ctx, pathText(n));
    }
    case 'Group':
      if (n.children.length === 1) return ev(n.children[0], ctx);
      return produced(n.children.map((c: Node) => need(ev(c, ctx), ctx)), ctx);
    case 'Array':
      return produced(n.children.map((c: Node) => need(ev(c, ctx), ctx)), ctx);
    case 'Dict': {
      const out: Record<string, unknown> = {};
      for (const p of n.children) {
        const k = p.key.typename === 'Symbol' ? need(lookupVar(p.key.value, ctx), ctx) : need(ev(p.key, ctx), ctx);
        const ks = asStr(k) ?? (typeof k === 'number' || typeof k === 'boolean' || k === null ? pyStr(k) : undefined);
        if (ks === undefined) throw new ExprError(`unhashable type: '${typeName(k)}'`, ctx.opts.pos);
        setKey(out, ks, need(ev(p.value, ctx), ctx));
      }
      return produced(out, ctx);
    }
    case 'InlineIf':
      if (truthy(need(ev(n.cond, ctx), ctx))) return ev(n.body, ctx);
      return n.else_ ? ev(n.else_, ctx) : '';
    case 'Or': {
      const a = need(ev(n.left, ctx), ctx);
      return truthy(a) ? a : ev(n.right, ctx);
    }
    case 'And': {
      const a = need(ev(n.left, ctx), ctx);
      return truthy(a) ? ev(n.right, ctx) : a;
    }
    case 'Not':
      return !truthy(need(ev(n.target, ctx), ctx));
    case 'In':
      return pyIn(deep(need(ev(n.left, ctx), ctx), ctx), deep(need(ev(n.right, ctx), ctx), ctx));
    case 'Is': {
      const name = testName(n.right.typename === 'FunCall' ? n.right.name : n.right);
      if (!name) throw new ParseError(`invalid test after 'is' (in "${ctx.src}")`, ctx.opts.pos);
      const left = ev(n.left, ctx);
      const { args, kw } = n.right.typename === 'FunCall' ? evalArgs(n.right.args.children, ctx) : { args: [], kw: {} };
      return applyTest(name, left, args, kw, ctx);
    }
    case 'Compare': {
      let left = deep(need(ev(n.expr, ctx), ctx), ctx);
      for (const op of n.ops) {
        const right = deep(need(ev(op.expr, ctx), ctx), ctx);
        let r: boolean;
        switch (op.type) {
          case '==': case '===': r = pyEq(left, right); break;
          case '!=': case '!==': r = !pyEq(left, right); break;
          case '<': r = pyCmp(left, right, '<') < 0; break;
          case '>': r = pyCmp(left, right, '>') > 0; break;
          case '<=': r = pyCmp(left, right, '<=') <= 0; break;
          case '>=': r = pyCmp(left, right, '>=') >= 0; break;
          default: throw new ParseError(`unknown comparison '${op.type}' (in "${ctx.src}")`, ctx.opts.pos);
        }
        if (!r) return false;
        left = right;
      }
      return true;
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'FloorDiv': case 'Mod': case 'Pow': {
      const a = deep(need(ev(n.left, ctx), ctx), ctx);
      const b = deep(need(ev(n.right, ctx), ctx), ctx);
      try {
        return produced(binop(n.typename, a, b), ctx);
      } catch (e) {
        throw located(e, ctx, 'operator');
      }
    }
    case 'Concat': {
      const s = pyStr(deep(need(ev(n.left, ctx), ctx), ctx)) + pyStr(deep(need(ev(n.right, ctx), ctx), ctx));
      checkLen(s.length);
      return s;
    }
    case 'Neg': {
      const v = need(ev(n.target, ctx), ctx);
      return -num(v, 'unary -', v);
    }
    case 'Pos': {
      const v = need(ev(n.target, ctx), ctx);
      return +num(v, 'unary +', v);
    }
    case 'Filter': {
      const name: string = n.name.value;
      const def = filters.get(name) ?? filters.get(bareName(name));
      const [inputNode, ...rest] = n.args.children as Node[];
      const input = ev(inputNode, ctx);
      const { args, kw } = evalArgs(rest, ctx, !!def?.undefinedOk);
      return applyFilter(name, input, args, kw, ctx);
    }
    case 'FunCall': {
      const callee = n.name as Node;
      if (callee.typename === 'Symbol') {
        const { args, kw } = evalArgs(n.args.children, ctx);
        try {
          return produced(callGlobal(callee.value, args, kw, ctx), ctx);
        } catch (e) {
          throw located(e, ctx, `${callee.value}()`);
        }
      }
      if (callee.typename === 'LookupVal' && callee.val.typename === 'Literal' && typeof callee.val.value === 'string') {
        const target = deep(need(ev(callee.target, ctx), ctx), ctx);
        const { args, kw } = evalArgs(n.args.children, ctx);
        try {
          const out = callMethod(target, callee.val.value, args, kw);
          return out !== target ? produced(out, ctx) : out;
        } catch (e) {
          throw located(e, ctx, `${callee.val.value}()`);
        }
      }
      throw new ExprError(`this expression is not callable (in "${ctx.src}")`, ctx.opts.pos);
    }
    case 'KeywordArgs':
      throw new ParseError(`keyword arguments outside a call (in "${ctx.src}")`, ctx.opts.pos);
  }
  throw new ParseError(`unsupported syntax (${n.typename}) (in "${ctx.src}")`, ctx.opts.pos);
}

