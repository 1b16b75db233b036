/** Alternative names of built-in modules (Ansible's redirects), mapped to the module file name. */
export const MODULE_ALIASES: Readonly<Record<string, string>> = {
  service: 'systemd',
  systemd_service: 'systemd',
  yum: 'dnf',
};

/** Strip Ansible's collection prefixes (`ansible.builtin.copy`, `ansible.posix.sysctl`, ...). */
export function shortModuleName(name: string): string {
  const m = /^(?:ansible\.(?:builtin|legacy|posix)|community\.general|community\.posix)\.(.+)$/.exec(name);
  return m ? m[1] : name;
}
