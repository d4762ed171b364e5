#!/bin/sh
# Lay out a FreeBSD simulator instance in directory D: D/bin/<utility> -> sim.sh, D/state/ (idempotent).
# Usage: install.sh D
# The symlinks point at sim.sh by absolute path; sim.sh finds D/state from the path it was invoked by ($0),
# so it needs no environment variable (runj runs jexec under `env -i`).
set -eu
[ $# -eq 1 ] || { echo "usage: install.sh dir" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd -P)
sim=$here/sim.sh
mkdir -p "$1"
d=$(cd "$1" && pwd -P)
mkdir -p "$d/bin" "$d/state/jails" "$d/state/jids" "$d/state/faults" "$d/state/sysctl" \
	"$d/state/sysctl-unknown" "$d/state/kld" "$d/state/host/etc"
for u in jail jls jexec ps mount umount sysctl ifconfig kldstat rctl limits; do
	ln -sfn "$sim" "$d/bin/$u"
done
chmod 0755 "$sim"
# Defaults, written only once so that state survives a second install.
[ -e "$d/state/calls.log" ] || : >"$d/state/calls.log"
[ -e "$d/state/mounts" ] || : >"$d/state/mounts"
[ -e "$d/state/ifaces" ] || printf 'lo0 0\nem0 0\n' >"$d/state/ifaces"
[ -e "$d/state/lastjid" ] || echo 0 >"$d/state/lastjid"
[ -e "$d/state/rctl" ] || : >"$d/state/rctl"
# cgroups for enforcing rctl maxproc/memoryuse deny rules (README "rctl"): probed once per instance, one line per
# usable controller, "controller v1|v2 dir", where dir (runj-sim-<hash of the state path>) is this instance's parent
# cgroup, created when a rule needs it. v2: the unified hierarchy at /sys/fs/cgroup with the controller available.
# v1: only a controller whose root cgroup we are in, so that no process leaves (or nests in) someone else's cgroup.
if [ ! -e "$d/state/cgroups" ]; then
	h=runj-sim-$(printf %s "$d" | cksum | cut -d' ' -f1)
	out=
	probe() { # probe DIR LIMITFILE [v2]: can we make a cgroup under DIR that has LIMITFILE?
		ok=1
		mkdir "$1/$h-probe" 2>/dev/null || return 1
		[ -e "$1/$h-probe/$2" ] || ok=
		rmdir "$1/$h-probe" 2>/dev/null
		[ -n "$ok" ]
	}
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		for c in pids memory; do
			case " $(cat /sys/fs/cgroup/cgroup.controllers) " in *" $c "*) ;; *) continue ;; esac
			case " $(cat /sys/fs/cgroup/cgroup.subtree_control) " in *" $c "*) ;; *) echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || continue ;; esac
			probe /sys/fs/cgroup "$c.max" && out="$out$c v2 /sys/fs/cgroup/$h
"
		done
	else
		for c in pids memory; do
			[ -w "/sys/fs/cgroup/$c/cgroup.procs" ] || continue
			grep -Eq "^[0-9]+:([^:]*,)?$c(,[^:]*)?:/\$" /proc/self/cgroup || continue
			f=pids.max; [ "$c" = memory ] && f=memory.limit_in_bytes
			probe "/sys/fs/cgroup/$c" "$f" && out="$out$c v1 /sys/fs/cgroup/$c/$h
"
		done
	fi
	printf '%s' "$out" >"$d/state/cgroups"
fi
# Loaded kernel modules of a FreeBSD 14 amd64 host with racct and linux_enable="YES" (kldstat -m): the tests' rootfs
# is built from Linux host binaries, so the Linux compatibility layer (linux64) is on unless a test turns it off.
for m in nullfs tmpfs fdescfs linux linux64 linprocfs linsysfs; do
	[ -e "$d/state/kld/$m" ] || : >"$d/state/kld/$m"
done
echo "$d"
