import { expect } from 'chai';
import fc from 'fast-check';
import { applySymbolic, formatMode, parseModeArg } from '../../../engine/modules/mode.ts';

describe('modules/mode', () => {
  it('parses octal strings and YAML ints', () => {
    expect(parseModeArg('0644')).to.equal(0o644);
    expect(parseModeArg('644')).to.equal(0o644);
    expect(parseModeArg('1777')).to.equal(0o1777);
    expect(parseModeArg('0o755')).to.equal(0o755);
    expect(parseModeArg(0o644)).to.equal(0o644); // YAML 1.1 reads `mode: 0644` as 420 == 0o644
    expect(parseModeArg(420)).to.equal(0o644); // ints are the mode value itself, as in Ansible
    expect(parseModeArg(644)).to.equal(644); // unquoted `mode: 644` is decimal 644 (Ansible's pitfall)
  });

  it('keeps symbolic modes and rejects garbage', () => {
    expect(parseModeArg('u+x')).to.equal('u+x');
    expect(parseModeArg('u=rw,g=r,o=')).to.equal('u=rw,g=r,o=');
    expect(() => parseModeArg('rwxr-xr-x')).to.throw(/octal or symbolic/);
    expect(() => parseModeArg('0999')).to.throw(/octal or symbolic/);
  });

  it('applies symbolic modes like chmod', () => {
    expect(applySymbolic('u+x', 0o644, false)).to.equal(0o744);
    expect(applySymbolic('u=rw,g=r,o=r', 0o777, false)).to.equal(0o644);
    expect(applySymbolic('a-w', 0o666, false)).to.equal(0o444);
    expect(applySymbolic('go-rwx', 0o755, false)).to.equal(0o700);
    expect(applySymbolic('+x', 0o644, false)).to.equal(0o755);
    expect(applySymbolic('a+X', 0o644, false)).to.equal(0o644);
    expect(applySymbolic('a+X', 0o644, true)).to.equal(0o755);
    expect(applySymbolic('a+X', 0o744, false)).to.equal(0o755);
    expect(applySymbolic('u+s', 0o755, false)).to.equal(0o4755);
    expect(applySymbolic('o+t', 0o777, true)).to.equal(0o1777);
    expect(applySymbolic('g=u', 0o740, false)).to.equal(0o770);
    expect(applySymbolic('u=rwx,g=rx,o=', 0o000, true)).to.equal(0o750);
  });

  it('formatMode pads to four digits', () => {
    expect(formatMode(0o644)).to.equal('0644');
    expect(formatMode(0o1777)).to.equal('1777');
  });

  it('octal modes round-trip through format and parse', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0o7777 }), (m) => parseModeArg(formatMode(m)) === m));
  });

  it("'=' with all classes sets exactly the given bits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o777 }), fc.integer({ min: 0, max: 0o777 }), (cur, want) => {
        const sym = (['u', 'g', 'o'] as const)
          .map((w, i) => {
            const b = (want >> (6 - 3 * i)) & 7;
            return `${w}=${b & 4 ? 'r' : ''}${b & 2 ? 'w' : ''}${b & 1 ? 'x' : ''}`;
          })
          .join(',');
        return applySymbolic(sym, cur, false) === want;
      }),
    );
  });
});
