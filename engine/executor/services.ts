/**
 * What the executor needs from the rest of the engine, as one interface: expressions,
 * modules, connections, facts, the loader's run-time API, vars files and templates.
 * `realServices()` (wire.ts) binds them to engine/*; unit tests pass a controller-only set.
 */
import type { BecomeSpec, Connection, ModuleContext, ModuleDef, ModuleResult } from '../types.ts';
import type { IncludeNode, Node, RoleInfo, TaskNode } from '../playbook/model.ts';
import type { ExprOptions } from '../expr/context.ts';

/** The executor's dependencies. */
export interface Services {
  evaluate(expr: string, vars: Record<string, unknown>, opts?: ExprOptions): unknown;
  evalCondition(cond: unknown, vars: Record<string, unknown>, opts?: ExprOptions): boolean;
  templateValue(v: unknown, vars: Record<string, unknown>, opts?: ExprOptions): unknown;
  isOmit(v: unknown): boolean;
  /** A module by canonical name (built in or from library dirs), undefined when unknown. */
  getModule(name: string, libraryDirs: string[]): Promise<ModuleDef | undefined>;
  suggestModule?(name: string): string | undefined;
  runModule(def: ModuleDef, args: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult>;
  /** The pooled connection to `host`, whose connection variables are `vars`. */
  connect(host: string, vars: Record<string, unknown>): Promise<Connection>;
  /** Gather facts in one round trip; bare names. */
  gatherFacts(conn: Connection, vars: Record<string, unknown>, become?: BecomeSpec): Promise<Record<string, unknown>>;
  /** include_tasks: load a task file at run time. */
  loadTaskFile(path: string, parent: IncludeNode): Node[];
  /** include_role: load a role at run time. */
  loadRoleForInclude(name: string, from: IncludeNode['from'], parent: IncludeNode): { nodes: Node[]; handlers: TaskNode[]; role: RoleInfo };
  /** include_vars / vars_files: a YAML/JSON vars file. */
  loadVarsFile(path: string): Record<string, unknown>;
  /** template module: render a handlebars template. */
  renderTemplate(text: string, vars: Record<string, unknown>, name: string): string;
  /** Ask the user (step mode, pause prompts). */
  prompt?(question: string, hidden?: boolean): Promise<string>;
  /** Close every connection. */
  closeAll(): Promise<void>;
}
