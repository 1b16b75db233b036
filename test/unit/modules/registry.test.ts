import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModuleNames, getModule, isModuleName, suggestModule } from '../../../engine/modules/registry.ts';
import { moduleMarkdown, moduleText } from '../../../engine/modules/docformat.ts';
import { validateArgs } from '../../../engine/modules/args.ts';

const LIB = new URL('../../../examples/library/', import.meta.url).pathname;

describe('modules/registry', () => {
  it('lists the built-ins and resolves aliases and collection prefixes', async () => {
    const names = builtinModuleNames();
    for (const n of ['command', 'shell', 'copy', 'template', 'file', 'systemd', 'sysctl', 'lineinfile', 'wait_for', 'swap']) expect(names).to.include(n);
    expect((await getModule('service'))?.name).to.equal('systemd');
    expect((await getModule('ansible.builtin.systemd_service'))?.name).to.equal('systemd');
    expect((await getModule('ansible.posix.sysctl'))?.name).to.equal('sysctl');
    expect(await getModule('no_such_module')).to.equal(undefined);
    expect(isModuleName('ansible.builtin.copy')).to.equal(true);
    expect(isModuleName('cpoy')).to.equal(false);
  });

  it('suggests the nearest module name', () => {
    expect(suggestModule('cpoy')).to.equal('copy');
    expect(suggestModule('lineinfle')).to.equal('lineinfile');
    expect(suggestModule('servce')).to.equal('service');
    expect(suggestModule('completely_unrelated_thing')).to.equal(undefined);
  });

  it('finds custom modules in library dirs (TS and script)', async () => {
    expect(isModuleName('ini_value', [LIB])).to.equal(true);
    expect((await getModule('ini_value', [LIB]))?.doc.short).to.match(/INI/);
    const script = await getModule('uptime_facts', [LIB]);
    expect(script?.doc.check).to.equal('full');
  });

  it('loads a library/NAME.ts outside any ESM package (no package.json), importing the engine API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-lib-'));
    try {
      const api = new URL('../../../engine/modules/api.ts', import.meta.url).pathname;
      writeFileSync(
        join(dir, 'mini.ts'),
        `import { quote } from '${api}';\nimport type { ModuleDef } from '${api.replace('modules/api.ts', 'types.ts')}';\n` +
          `const m: ModuleDef = { name: 'mini', doc: { short: quote('a b') }, args: {}, async plan() { return { changed: false }; } };\nexport default m;\n`,
      );
      const def = await getModule('mini', [dir]);
      expect(def?.doc.short).to.equal("'a b'");
      writeFileSync(join(dir, 'broken.ts'), 'export default { name: 1 };\n');
      let err: unknown;
      await getModule('broken', [dir]).catch((e) => (err = e));
      expect(String((err as Error)?.message)).to.match(/module broken must 'export default' a ModuleDef/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every built-in module loads, documents every argument, and renders its doc page', async () => {
    for (const n of builtinModuleNames()) {
      const def = await getModule(n);
      expect(def, n).to.not.equal(undefined);
      expect(def!.name, `file modules/${n}.ts must be named ${n}`).to.equal(n);
      expect(def!.doc.short, n).to.be.a('string').and.not.equal('');
      for (const [a, spec] of Object.entries(def!.args)) {
        expect(spec.description, `${n}.${a}`).to.be.a('string').and.not.equal('');
        if (spec.default !== undefined && spec.choices) {
          for (const d of Array.isArray(spec.default) ? spec.default : [spec.default]) expect(spec.choices, `${n}.${a} default in choices`).to.include(d);
        }
      }
      // defaults themselves validate (the schema is consistent)
      const required = Object.fromEntries(Object.entries(def!.args).filter(([, s]) => s.required).map(([k, s]) => [k, s.choices ? s.choices[0] : s.type === 'list' ? ['x'] : s.type === 'int' ? 1 : 'x']));
      try {
        validateArgs(def!, required);
      } catch (e) {
        // only cross-argument validate() messages are acceptable here
        expect((e as Error).message, n).to.not.match(/Unsupported|unable to convert|must be one of/);
      }
      expect(moduleText(def!)).to.include(def!.name.toUpperCase());
      expect(moduleMarkdown(def!)).to.include(`# ${def!.name}`);
    }
  });
});
