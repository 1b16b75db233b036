/**
 * The executor's wiring to the connection layer (engine/executor/wire.ts): which variables
 * decide a connection, -vvv command echo and connection warnings as events.
 */
import { expect } from 'chai';
import type { RunEvent } from '../../../engine/types.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connVarsOf, realServices, loaderOptions } from '../../../engine/executor/wire.ts';
import { loadPlaybook } from '../../../engine/playbook/load.ts';
import { connParamsFor } from '../../../engine/connection/params.ts';

const env = { env: {}, home: '/nonexistent', localUser: 'me', sshConfig: [], fileExists: () => false };

describe('executor wiring (wire.ts)', () => {
  it('a bare host_key_checking: false variable turns host key checking off, as Ansible', () => {
    const conn = connVarsOf({ ansible_host: '198.18.0.5', host_key_checking: false, unrelated: 1 });
    expect(conn).to.deep.equal({ ansible_host: '198.18.0.5', host_key_checking: false });
    expect(connParamsFor('h', conn, {}, env).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', connVarsOf({ ansible_host: '198.18.0.5' }), {}, env).strictHostKeyChecking).to.equal('yes');
  });

  it('numeric inventory passwords become strings', () => {
    const conn = connVarsOf({ ansible_ssh_pass: 123456, ansible_become_password: 4242, ansible_port: 2222 });
    expect(conn).to.deep.equal({ ansible_ssh_pass: '123456', ansible_become_password: '4242', ansible_port: 2222 });
    expect(connParamsFor('h', conn, {}, env).password).to.equal('123456');
  });

  it('-vvv: every command sent is a level-3 verbose event; params warnings once per host', async () => {
    const events: RunEvent[] = [];
    const svc = realServices({ cli: {}, loader: loaderOptions([]), emit: (e) => events.push(e) });
    try {
      const vars = { ansible_connection: 'local', ansible_ssh_extra_args: '-o Bogus=1 -R 80:x:80' };
      const c = await svc.connect('h1', vars);
      await c.exec('echo tsp-wire-probe');
      await svc.connect('h1', vars);
      const verbose = events.filter((e) => e.type === 'verbose' && e.level === 3 && e.msg.includes('tsp-wire-probe'));
      expect(verbose.length).to.equal(1);
      expect(verbose[0]).to.deep.include({ msg: '<h1> EXEC echo tsp-wire-probe' });
      const warnings = events.filter((e) => e.type === 'warning');
      expect(warnings.length).to.be.greaterThan(0);
      expect(warnings.every((w) => w.type === 'warning' && w.msg.startsWith('h1: '))).to.equal(true);
      const before = warnings.length;
      await svc.connect('h1', { ...vars, ansible_user: 'other' });
      expect(events.filter((e) => e.type === 'warning').length).to.equal(before);
    } finally {
      await svc.closeAll();
    }
  });

  it('loader warnings (ignored collections:, deprecated include:) reach the warn callback as file:line:col lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-wire-'));
    writeFileSync(join(dir, 'site.yml'), '- hosts: all\n  collections: [community.general]\n  tasks:\n    - include: t.yml\n');
    writeFileSync(join(dir, 't.yml'), '- debug: msg=x\n');
    const got: string[] = [];
    loadPlaybook(join(dir, 'site.yml'), loaderOptions([], dir, dir, (w) => got.push(w)));
    expect(got.some((w) => w.startsWith(`${join(dir, 'site.yml')}:2:`) && /collections/.test(w)), got.join('\n')).to.equal(true);
    expect(got.some((w) => /'include' is deprecated/.test(w)), got.join('\n')).to.equal(true);
  });
});
