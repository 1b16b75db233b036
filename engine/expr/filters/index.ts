/** Registers every built-in filter (imported for its side effects by engine/expr/index.ts). */
import './core.ts';
import './strings.ts';
import './collections.ts';
import './data.ts';
import './ipaddr.ts';
