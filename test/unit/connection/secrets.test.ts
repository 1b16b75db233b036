import { expect } from 'chai';
import { registerSecret, redact, redactValue, clearSecrets, containsSecret } from '../../../engine/secrets.ts';

describe('secrets: registerSecret / redact', () => {
  afterEach(() => clearSecrets());

  it('replaces every occurrence of every registered secret', () => {
    registerSecret('hunter2-pass');
    registerSecret('vault$ecret');
    expect(redact('a hunter2-pass b hunter2-pass vault$ecret')).to.equal('a ******** b ******** ********');
    expect(containsSecret('x vault$ecret')).to.equal(true);
    expect(containsSecret('clean')).to.equal(false);
  });

  it('the longest secret wins when one contains another', () => {
    registerSecret('abc');
    registerSecret('abcdef-long');
    expect(redact('abcdef-long abc')).to.equal('******** ********');
  });

  it('ignores empty and very short values; non-strings pass through', () => {
    registerSecret('');
    registerSecret('ab');
    registerSecret(undefined);
    expect(redact('ab cd')).to.equal('ab cd');
  });

  it('multi-line secrets are hidden whole and line by line', () => {
    registerSecret('-----BEGIN KEY-----\nMIIEowIBAAKCAQEA1234\n-----END KEY-----');
    expect(redact('leaked: MIIEowIBAAKCAQEA1234')).to.equal('leaked: ********');
  });

  it('redactValue deep-copies results with secrets removed', () => {
    registerSecret('p4ssw0rd!');
    const v = { cmd: 'echo p4ssw0rd!', list: ['p4ssw0rd!', 1], nested: { x: 'no' } };
    expect(redactValue(v)).to.deep.equal({ cmd: 'echo ********', list: ['********', 1], nested: { x: 'no' } });
    expect(v.cmd).to.equal('echo p4ssw0rd!');
  });

  it('regex metacharacters in secrets are literal', () => {
    registerSecret('a.b*c(d)');
    expect(redact('a.b*c(d) axbbc')).to.equal('******** axbbc');
  });
});
