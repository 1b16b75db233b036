/** Reading systemd unit state: `systemctl show` output parsing (pure) and the one read command. */
import { quote } from './quote.ts';

/** Parse `systemctl show` KEY=VALUE lines into a dict (Ansible's `status`). */
export function parseShow(out: string): Record<string, string> {
  const st: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) st[line.slice(0, i)] = line.slice(i + 1);
  }
  return st;
}

/** Ansible's is_running_service: active or activating. */
export function isRunning(st: Record<string, string>): boolean {
  return st.ActiveState === 'active' || st.ActiveState === 'activating';
}

/** ONE command: optional daemon-reload, then `systemctl show UNIT` and `systemctl is-enabled UNIT` (marked). */
export function readUnitCommand(systemctl: string, unit: string, daemonReload: boolean): string {
  const u = quote(unit);
  return [
    daemonReload ? `${systemctl} daemon-reload || exit 1` : '',
    `${systemctl} show ${u} --no-pager || exit 1`,
    `e=$(${systemctl} is-enabled ${u} 2>/dev/null); rc=$?; printf '__ENABLED__=%s rc%s\\n' "$(printf %s "$e" | head -n1)" "$rc"`,
  ].filter(Boolean).join('\n');
}

/** Split the output of readUnitCommand into the show dict and the is-enabled word and rc. */
export function parseUnitRead(out: string): { status: Record<string, string>; enabledWord: string; enabledRc: number } {
  const status = parseShow(out);
  const raw = status.__ENABLED__ ?? '';
  delete status.__ENABLED__;
  const m = /^(.*?)\s*rc(\d+)$/s.exec(raw.trim()) ?? ['', '', '1'];
  return { status, enabledWord: m[1].trim(), enabledRc: Number(m[2]) };
}
