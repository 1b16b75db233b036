/**
 * Python arithmetic on plain values: + - * / // % ** with Python's types and errors.
 */
import { MAX_STRING } from './context.ts';
import { ExprError } from './errors.ts';
import { percentFormat } from './format.ts';
import { UnsafeText } from '../yaml.ts';
import { toInt, typeName } from './values.ts';

export function num(v: unknown, op: string, other: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`unsupported operand type(s) for ${op}: '${typeName(v)}' and '${typeName(other)}'`);
}

export function checkLen(n: number): void {
  if (n > MAX_STRING) throw new ExprError(`result too large (${n} items/characters)`);
}

export function binop(t: string, a: unknown, b: unknown): unknown {
  if (a instanceof UnsafeText) a = a.text;
  if (b instanceof UnsafeText) b = b.text;
  switch (t) {
    case 'Add':
      if (typeof a === 'string' && typeof b === 'string') {
        checkLen(a.length + b.length);
        return a + b;
      }
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (typeof a === 'string' || typeof b === 'string' || Array.isArray(a) || Array.isArray(b)) {
        throw new ExprError(`unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`);
      }
      return num(a, '+', b) + num(b, '+', a);
    case 'Sub':
      return num(a, '-', b) - num(b, '-', a);
    case 'Mul': {
      const rep = (x: string | unknown[], n: unknown): unknown => {
        const k = Math.max(0, toInt(n, 'sequence repeat'));
        checkLen(x.length * k);
        if (typeof x === 'string') return x.repeat(k);
        const out: unknown[] = [];
        for (let i = 0; i < k; i++) out.push(...x);
        return out;
      };
      if ((typeof a === 'string' || Array.isArray(a)) && (typeof b === 'number' || typeof b === 'boolean')) return rep(a, b);
      if ((typeof b === 'string' || Array.isArray(b)) && (typeof a === 'number' || typeof a === 'boolean')) return rep(b, a);
      return num(a, '*', b) * num(b, '*', a);
    }
    case 'Div': {
      const x = num(a, '/', b);
      const y = num(b, '/', a);
      if (y === 0) throw new ExprError('division by zero');
      return x / y;
    }
    case 'FloorDiv': {
      const x = num(a, '//', b);
      const y = num(b, '//', a);
      if (y === 0) throw new ExprError('integer division or modulo by zero');
      return Math.floor(x / y);
    }
    case 'Mod': {
      if (typeof a === 'string') return percentFormat(a, b);
      const x = num(a, '%', b);
      const y = num(b, '%', a);
      if (y === 0) throw new ExprError('integer division or modulo by zero');
      return ((x % y) + y) % y;
    }
    case 'Pow':
      return Math.pow(num(a, '**', b), num(b, '**', a));
  }
  throw new ExprError(`unknown operator ${t}`);
}

