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
# Utilities simulated now; rctl and limits are expected later and dispatch the same way.
for u in jail jls jexec ps mount umount sysctl ifconfig kldstat; do
	ln -sfn "$sim" "$d/bin/$u"
done
chmod 0755 "$sim"
# Defaults, written only once so that state survives a second install.
[ -e "$d/state/calls.log" ] || : >"$d/state/calls.log"
[ -e "$d/state/mounts" ] || : >"$d/state/mounts"
[ -e "$d/state/ifaces" ] || printf 'lo0 0\nem0 0\n' >"$d/state/ifaces"
[ -e "$d/state/lastjid" ] || echo 0 >"$d/state/lastjid"
# Loaded kernel modules that a stock FreeBSD 14 GENERIC host with racct has (kldstat -m).
for m in nullfs tmpfs fdescfs linux linprocfs; do
	[ -e "$d/state/kld/$m" ] || : >"$d/state/kld/$m"
done
echo "$d"
