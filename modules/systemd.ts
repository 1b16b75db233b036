/** systemd (alias service, systemd_service): manage systemd units. */
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { isRunning, parseUnitRead, readUnitCommand } from '../engine/modules/systemctl.ts';
import { attrDiff } from '../engine/modules/diff.ts';

const VERB: Record<string, string> = { started: 'start', restarted: 'restart', reloaded: 'reload', stopped: 'stop' };

interface SdState {
  commands: { cmd: string; what: string }[];
}

const systemd: ModuleDef<Record<string, any>, SdState> = {
  name: 'systemd',
  aliases: ['service', 'systemd_service'],
  doc: {
    short: 'Manage systemd units',
    description:
      'Controls systemd units: state, enabled, masked, daemon_reload/daemon_reexec. The unit state is read with ONE command (systemctl show + is-enabled). ' +
      "daemon_reload is done before reading the state (also in check mode it is skipped), like Ansible, and is not counted as a change.",
    check: 'full',
    diff: true,
    returns: { name: 'Unit name.', state: 'Requested state.', enabled: 'Whether the unit is enabled after the task.', status: 'Dictionary of the unit properties from `systemctl show` (ActiveState, SubState, UnitFileState, ...).' },
    examples: `- name: Make sure a service unit is running and enabled
  systemd:
    name: containerd
    state: started
    enabled: yes

- name: Reload systemd after a unit file changed, then restart kubelet
  systemd:
    name: kubelet
    state: restarted
    daemon_reload: yes

- name: Mask a unit
  service:
    name: ufw
    masked: yes`,
  },
  args: {
    name: { type: 'str', aliases: ['service', 'unit'], description: 'Name of the unit (`.service` may be omitted).' },
    state: { type: 'str', choices: ['reloaded', 'restarted', 'started', 'stopped'], description: 'started/stopped are idempotent; restarted/reloaded always restart/reload a running unit and start a stopped one.' },
    enabled: { type: 'bool', description: 'Whether the unit should start on boot.' },
    force: { type: 'bool', description: 'Override existing symlinks (enable --force).' },
    masked: { type: 'bool', description: 'Whether the unit should be masked (impossible to start).' },
    daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'], description: 'Run daemon-reload before anything else.' },
    daemon_reexec: { type: 'bool', default: false, aliases: ['daemon-reexec'], description: 'Run daemon-reexec before anything else.' },
    scope: { type: 'str', default: 'system', choices: ['system', 'user', 'global'], description: 'The systemd instance to talk to.' },
    no_block: { type: 'bool', default: false, description: 'Do not wait for the start/stop job to finish.' },
  },
  validate(a) {
    if (a.name === undefined && !a.daemon_reload && !a.daemon_reexec) return 'missing required arguments: name (or daemon_reload/daemon_reexec)';
    if (a.scope === 'global' && a.state !== undefined) return "state can not be set with scope 'global'";
    return undefined;
  },
  async plan(args, ctx) {
    const sc = `systemctl${args.scope !== 'system' ? ` --${args.scope}` : ''}`;
    const commands: SdState['commands'] = [];
    const steps: string[] = [];
    if (args.daemon_reexec) commands.push({ cmd: `${sc} daemon-reexec`, what: 'failure when executing daemon-reexec' });
    if (args.name === undefined) {
      if (args.daemon_reload && !ctx.check) await mustSh(ctx, `${sc} daemon-reload`, 'failure when executing daemon-reload');
      return { changed: commands.length > 0, steps: commands.map((c) => c.cmd), state: { commands }, result: { name: undefined } };
    }
    let unit: string = args.name;
    const r = await sh(ctx, readUnitCommand(sc, unit, args.daemon_reload && !ctx.check));
    if (r.rc !== 0) fail(`failure reading unit ${unit}: ${(r.stderr.trim() || r.stdout.trim()).split('\n').pop()}`, { rc: r.rc });
    const { status, enabledWord, enabledRc } = parseUnitRead(r.stdout);
    if (status.Id) unit = unit.includes('@') || unit.includes('.') ? unit : status.Id;
    const found = status.LoadState !== 'not-found' || status.UnitFileState === 'masked';
    const masked = status.LoadState === 'masked' || enabledWord === 'masked';
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const q = quote(unit);
    const nb = args.no_block ? ' --no-block' : '';

    if (args.masked !== undefined && args.masked !== masked) {
      const verb = args.masked ? 'mask' : 'unmask';
      commands.push({ cmd: `${sc} ${verb} ${q}`, what: `Unable to ${verb} service ${unit}` });
      steps.push(`${verb} ${unit}`);
      before.masked = masked;
      after.masked = args.masked;
    }
    const willBeMasked = args.masked ?? masked;
    if (!found && (args.state !== undefined || args.enabled !== undefined) && args.masked !== false) {
      fail(`Could not find the requested service ${args.name}: host`);
    }
    // Ansible: rc 0 means enabled (static too), except units that are only indirect/alias
    let enabled = enabledRc === 0 && enabledWord !== 'indirect' && enabledWord !== 'alias';
    if (args.enabled !== undefined) {
      if (willBeMasked && args.enabled) fail(`Unable to enable service ${unit}: the unit is masked`);
      if (args.enabled !== enabled) {
        const verb = args.enabled ? 'enable' : 'disable';
        commands.push({ cmd: `${sc} ${verb}${args.force ? ' --force' : ''} ${q}`, what: `Unable to ${verb} service ${unit}` });
        steps.push(`${verb} ${unit}`);
        before.enabled = enabled;
        after.enabled = args.enabled;
        enabled = args.enabled;
      }
    }
    if (args.state !== undefined) {
      if (willBeMasked && args.state !== 'stopped') fail(`Unable to ${VERB[args.state]} service ${unit}: the unit is masked`);
      const running = isRunning(status);
      let action: string | undefined;
      if (args.state === 'started' && !running) action = 'start';
      else if (args.state === 'stopped' && (running || status.ActiveState === 'deactivating')) action = 'stop';
      else if (args.state === 'restarted' || args.state === 'reloaded') action = running ? args.state.slice(0, -2) : 'start';
      if (action) {
        commands.push({ cmd: `${sc}${nb} ${action} ${q}`, what: `Unable to ${action} service ${unit}` });
        steps.push(`${action} ${unit}`);
        before.state = status.ActiveState;
        after.state = args.state;
      }
    }
    const diff = Object.keys(after).length ? [attrDiff(unit, before, after)] : [];
    return { changed: commands.length > 0, steps, diff, state: { commands }, result: { name: unit, ...(args.state ? { state: args.state } : {}), enabled, status } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    // every step and the status refresh in ONE round trip; a failing step names itself on stderr
    const cmds = plan.state!.commands;
    const sc = `systemctl${args.scope !== 'system' ? ` --${args.scope}` : ''}`;
    const script = [
      ...cmds.map((c, i) => `${c.cmd} || { rc=$?; echo "__STEP__${i}" >&2; exit $rc; }`),
      ...(args.name !== undefined ? [readUnitCommand(sc, String(plan.result!.name), false)] : []),
    ].join('\n');
    const r = await sh(ctx, script);
    const step = /__STEP__(\d+)/.exec(r.stderr);
    if (step) {
      const detail = r.stderr.replace(/__STEP__\d+\s*/, '').trim().split('\n').slice(-2).join(' ');
      fail(`${cmds[Number(step[1])].what}: ${detail || `exit code ${r.rc}`}`, { rc: r.rc });
    }
    const res: ModuleResult = { changed: true, ...plan.result };
    if (args.name !== undefined && r.rc === 0) {
      const { status, enabledRc } = parseUnitRead(r.stdout);
      res.status = status;
      res.enabled = enabledRc === 0 && !['indirect', 'alias'].includes(parseUnitRead(r.stdout).enabledWord);
    }
    return res;
  },
};
export default systemd;
