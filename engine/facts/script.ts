/**
 * The fact-gathering script: POSIX sh + coreutils only (ip/hostname/systemd-detect-virt used
 * when present), run in ONE round trip per host. It prints sections introduced by
 * `@@tsplay-facts:NAME@@` lines; `parseFacts` (parse.ts) turns them into Ansible's fact names.
 * It never sends network traffic (the default route is read from the routing table).
 */

/** Marker that starts each section of the script's output. */
export const SECTION_MARK = '@@tsplay-facts:';

/** The script (pass to `sh -c`). Each command is guarded so a missing tool only empties its section. */
export const FACTS_SCRIPT = String.raw`
s() { printf '\n${SECTION_MARK}%s@@\n' "$1"; }
s env; if env -0 >/dev/null 2>&1; then env -0 | tr '\000\n' '\036\035'; else env; fi
LC_ALL=C; export LC_ALL
have() { command -v "$1" >/dev/null 2>&1; }
s os_release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
s lsb_release; cat /etc/lsb-release 2>/dev/null
s redhat_release; cat /etc/redhat-release 2>/dev/null || cat /etc/system-release 2>/dev/null
s debian_version; cat /etc/debian_version 2>/dev/null
s alpine_release; cat /etc/alpine-release 2>/dev/null
s uname; uname -s; uname -r; uname -v; uname -m; uname -n
s hostname; cat /proc/sys/kernel/hostname 2>/dev/null || hostname 2>/dev/null
s fqdn; if have timeout && have hostname; then timeout 2 hostname -f 2>/dev/null; fi
s machine_id; cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id 2>/dev/null
s meminfo; cat /proc/meminfo 2>/dev/null
s cpuinfo; cat /proc/cpuinfo 2>/dev/null
s nproc; nproc 2>/dev/null
s ip_addr; ip -o addr show 2>/dev/null
s route4; ip -4 route show default 2>/dev/null
s route6; ip -6 route show default 2>/dev/null
s sysnet
rd() { v=; read -r v 2>/dev/null < "$1"; }
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  t=ether; [ -d "$d/bridge" ] && t=bridge; [ -d "$d/bonding" ] && t=bonding
  line="${'${d##*/}'}"
  for f in type address mtu operstate flags speed; do rd "$d/$f"; line="$line|$v"; done
  printf '%s|%s\n' "$line" "$t"
done
s init_comm; cat /proc/1/comm 2>/dev/null
s systemd_booted; [ -d /run/systemd/system ] && echo yes
s init_exe; readlink /proc/1/exe 2>/dev/null; readlink -f /sbin/init 2>/dev/null
s pkg_mgrs; for p in dnf5 dnf yum microdnf apt-get zypper apk pacman emerge pkg pkgng xbps-install swupd installp opkg rpm-ostree; do have $p && echo $p; done
s proc1_cgroup; cat /proc/1/cgroup 2>/dev/null
s proc1_environ; tr '\000' '\n' < /proc/1/environ 2>/dev/null | grep '^container='
s systemd_container; cat /run/systemd/container 2>/dev/null
s virt_files; for f in /.dockerenv /.dockerinit /proc/vz /proc/bc /proc/lve /proc/xen; do [ -e $f ] && echo $f; done; cat /proc/xen/capabilities 2>/dev/null
s dmi; for f in product_name sys_vendor bios_vendor product_family product_version product_uuid product_serial bios_version bios_date; do rd /sys/devices/virtual/dmi/id/$f; printf '%s=%s\n' $f "$v"; done
s modules; cut -d' ' -f1 /proc/modules 2>/dev/null
s user; id -u; id -g; id -un; id -ru; id -rg; getent passwd "$(id -un)" 2>/dev/null || grep "^$(id -un):" /etc/passwd
s date; date '+%Y-%m-%d|%H|%M|%S|%Z|%z|%A|%w|%W|%s|%j|%m|%d|%Y|%N'; date -u '+%Y-%m-%dT%H:%M:%SZ|%Y%m%dT%H%M%S'
s selinux; if have getenforce; then getenforce 2>/dev/null; elif [ -r /sys/fs/selinux/enforce ]; then echo "enforce=$(cat /sys/fs/selinux/enforce)"; fi
s apparmor; [ -d /sys/kernel/security/apparmor ] && echo enabled
s python; for p in python3 python; do have $p && { $p -S -E -c 'import sys;v=sys.version_info;print(sys.executable);print("%d.%d.%d"%(v[0],v[1],v[2]));print(v[0],v[1],v[2],v[3],v[4])' 2>/dev/null; break; }; done
s mounts
set --
while read -r dev mnt fstype opts rest; do
  case "$dev" in /*) ;; *) continue ;; esac
  case "$mnt" in *\\*) mnt=$(printf '%b' "$mnt") ;; esac
  printf '%s|%s|%s|%s\n' "$dev" "$mnt" "$fstype" "$opts"
  set -- "$@" "$mnt"
done < /proc/mounts 2>/dev/null
s mount_stats; [ $# -gt 0 ] && stat -f -c '%n|%s %S %b %f %a %c %d' "$@" 2>/dev/null
s uptime; cut -d' ' -f1 /proc/uptime 2>/dev/null
s loadavg; cat /proc/loadavg 2>/dev/null
s dns; cat /etc/resolv.conf 2>/dev/null
s end
`;
