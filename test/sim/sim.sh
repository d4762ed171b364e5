#!/bin/bash
# FreeBSD 14 userland simulator (jail jls jexec ps mount umount sysctl ifconfig kldstat limits rctl) for runj tests;
# see README.md.
# One script dispatched on basename "$0". Utilities are ordered by how often runj calls them and each block
# ends in `exit`, so bash never parses the blocks after the one it runs (parsing is most of the cost).
# Messages and exit codes follow the FreeBSD 14 sources (usr.sbin/jail, jls, jexec; bin/ps; sbin/mount ...).
LC_ALL=C
U=${0##*/}
B=${0%/*}; [[ $B == "$0" ]] && B=.
[[ $B == /* ]] || B=$PWD/$B
S=$B/../state
[[ -d $S ]] || { printf '%s: simulator state directory not found: %s\n' "$U" "$S" >&2; exit 70; }

# je STRING: JSON-encode into REPLY (bytes >= 0x20 pass through; control bytes are escaped).
je() {
	local s=$1 o= c i
	s=${s//\\/\\\\}; s=${s//\"/\\\"}
	if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
		s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}
		if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
			for ((i = 0; i < ${#s}; i++)); do
				c=${s:i:1}
				[[ $c == [$'\x01'-$'\x1f'] ]] && printf -v c '\\u%04x' "'$c"
				o+=$c
			done
			s=$o
		fi
	fi
	REPLY=\"$s\"
}
# Record the call (one atomic O_APPEND write) before doing anything else. jexec runs an in-jail `limits` as
# `limits --sim-jail ROOT DIR UID -- args`: logged as ["limits", args...], what runj passed inside the jail.
N0=1; [[ $1 == --sim-jail && $U == limits ]] && N0=6
je "$U"; L="[$REPLY"; for a in "${@:N0}"; do je "$a"; L+=",$REPLY"; done
printf '%s]\n' "$L" >>"$S/calls.log"

# fault KEY: honour state/faults/KEY ("fail MSG" or "sleep SECS"; one-shot unless the line ends in " always").
fault() {
	local f=$S/faults/$1 l
	[[ -e $f ]] || return 0
	IFS= read -r l <"$f" || [[ -n $l ]] || return 0
	if [[ $l == *' always' ]]; then l=${l% always}
	else /bin/rm -- "$f" 2>/dev/null || return 0; fi   # unlink is atomic: only one caller consumes it
	case $l in
	'fail '*) printf '%s: %s\n' "$U" "${l#fail }" >&2; exit 1 ;;
	fail) printf '%s: simulated failure\n' "$U" >&2; exit 1 ;;
	'sleep '*) /bin/sleep "${l#sleep }" </dev/null >/dev/null 2>&1 & wait $! ;;
	*) printf '%s: simulator: bad fault %s: %s\n' "$U" "$1" "$l" >&2; exit 70 ;;
	esac
}
lock() { exec {LK}>>"$S/.lock"; /usr/bin/flock "$LK"; }
unlock() { exec {LK}>&-; }
warn() { printf '%s: %s\n' "$U" "$*" >&2; }
die() { warn "$*"; exit 1; }
unsup() { die "simulator: $*"; }
# splitv SEPARATORS STRING -> SPL array (word splitting without globbing; here-strings cost a temp file each)
splitv() { local IFS=$1; set -f; SPL=($2); set +f; }
# getopt(3) diagnostics as FreeBSD prints them; $1 = bad option char, $2 = ':' when the argument was missing.
badopt() { if [[ $2 == : ]]; then warn "option requires an argument -- $1"; else warn "illegal option -- $1"; fi; }

# jail lookup: jget NAME -> JN JID JP (name, jid, path); jgetid JID -> same. Return 1 when absent.
jget() {
	[[ -n $1 && $1 != */* && $1 != . && $1 != .. && -f $S/jails/$1/jid ]] || return 1
	JN=$1; read -r JID <"$S/jails/$1/jid"; read -r JP <"$S/jails/$1/path"
}
jgetid() { local n; [[ -f $S/jids/$1 ]] && read -r n <"$S/jids/$1" && jget "$n"; }
# jail_getid(3): an all-digit argument is a jid (strtoul), anything else a name.
# Sets JERR to libjail's jail_errmsg on failure.
jresolve() {
	if [[ $1 =~ ^[0-9]+$ ]]; then
		local j=$((10#$1))
		jgetid "$j" && return 0
		JERR="jail $j not found"; return 1
	fi
	jget "$1" && return 0
	JERR="jail \"$1\" not found"; return 1
}
# all jails, ascending jid: fills JIDS array (names indexed by jid)
jall() {
	JIDS=(); local f n
	for f in "$S"/jids/*; do [[ -f $f ]] && read -r n <"$f" && JIDS[${f##*/}]=$n; done
}
# host databases (state/host/etc overrides the real /etc so tests can define host users and login classes)
hostetc() { if [[ -e $S/host/etc/$1 ]]; then REPLY=$S/host/etc/$1; else REPLY=/etc/$1; fi; }
sysctl_default() {
	case $1 in
	kern.racct.enable) REPLY=1 ;; security.jail.jailed) REPLY=0 ;;
	kern.osrelease) REPLY=14.3-RELEASE ;; kern.osreldate) REPLY=1403000 ;; kern.ostype) REPLY=FreeBSD ;;
	hw.machine | hw.machine_arch) REPLY=amd64 ;; hw.ncpu) REPLY=2 ;; kern.securelevel) REPLY=-1 ;;
	kern.hostname) read -r REPLY </proc/sys/kernel/hostname ;;
	security.jail.vnet) REPLY=0 ;; security.jail.enforce_statfs) REPLY=2 ;;
	kern.features.vimage | kern.features.inet | kern.features.inet6 | kern.features.racct) REPLY=1 ;;
	*) return 1 ;;
	esac
}
# sysval OID -> REPLY; state/sysctl/OID overrides, state/sysctl-unknown/OID hides.
sysval() {
	[[ -e $S/sysctl-unknown/$1 ]] && return 1
	if [[ -f $S/sysctl/$1 ]]; then IFS= read -r REPLY <"$S/sysctl/$1"; return 0; fi
	sysctl_default "$1"
}

##############################################################################
# jls(8): jls [-dhNnqsv] [-j jail] [param ...], libxo output styles text and json.
if [[ $U == jls ]]; then
	fault jls
	XO=text; args=()
	while (($#)); do
		case $1 in
		--libxo) XO=$2; shift 2 || die "missing libxo option" ;;
		--libxo=* | --libxo:*) XO=${1:8}; shift ;;
		*) args+=("$1"); shift ;;
		esac
	done
	set -- "${args[@]}"
	[[ $XO == *json* ]] && XO=json || XO=text
	jusage() { warn "usage: jls [-dhNnqv] [-j jail] [param ...]"; exit 1; }
	# print flags as in jls.c
	pH= pN= pQ= pS= pV= pJ= jarg= jid=0
	while getopts ':adj:hNnqsv' o; do
		case $o in
		a | d) ;;
		j) jarg=$OPTARG; if [[ $OPTARG =~ ^[0-9]+$ ]] && ((10#$OPTARG)); then jid=$((10#$OPTARG)); else jid=0; fi ;;
		h) pH=1 pS= pV= ;; N) pJ=1 ;; n) pN=1 pV= ;; q) pQ=1 ;;
		s) pN=1 pQ=1 pS=1 pH= pV= ;; v) pV=1 pH= pN= pS= ;;
		:) badopt "$OPTARG" :; jusage ;; *) badopt "$OPTARG"; jusage ;;
		esac
	done
	shift $((OPTIND - 1))
	ALLP=(devfs_ruleset dying enforce_statfs host ip4 ip6 jid name osreldate osrelease parent path persist securelevel
		sysvmsg sysvsem sysvshm vnet allow.adjtime allow.chflags allow.extattr allow.mlock allow.mount allow.mount.devfs
		allow.mount.fdescfs allow.mount.linprocfs allow.mount.linsysfs allow.mount.nullfs allow.mount.procfs
		allow.mount.tmpfs allow.nfsd allow.quotas allow.raw_sockets allow.read_msgbuf allow.reserved_ports allow.routing
		allow.set_hostname allow.settime allow.socket_af allow.suser allow.sysvipc allow.unprivileged_proc_debug
		children.cur children.max cpuset.id host.domainname host.hostid host.hostname host.hostuuid ip4.addr
		ip4.saddrsel ip6.addr ip6.saddrsel)
	declare -A KNOWN; for p in "${ALLP[@]}"; do KNOWN[$p]=1; done
	mode=params; PL=()
	if (($# == 0)); then
		if [[ -n $pH || -n $pN ]]; then PL=("${ALLP[@]}")
		elif [[ -n $pV ]]; then mode=verbose
		else mode=default; fi
	else
		pV=
		for p; do
			[[ $p == all ]] && { PL+=("${ALLP[@]}"); continue; }
			q=$p; [[ -z ${KNOWN[$q]} && $q =~ ^(.*\.)?no([^.]+)$ ]] && q=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
			[[ -n ${KNOWN[$q]} ]] || die "unknown parameter: $p"
			PL+=("$p")
		done
	fi
	# pvalue NAME: value of a parameter of the loaded jail (P assoc array) in jailparam_export(3) form; PT = type
	declare -A P
	pvalue() {
		local n=$1 neg=
		[[ -z ${KNOWN[$n]} && $n =~ ^(.*\.)?no([^.]+)$ ]] && { n=${BASH_REMATCH[1]}${BASH_REMATCH[2]}; neg=1; }
		PT=s
		case $n in
		jid) REPLY=$JID PT=i ;; name) REPLY=$JN ;; path) REPLY=$JP ;;
		dying) REPLY=false PT=b ;;
		persist | ip4.saddrsel | ip6.saddrsel) REPLY=${P[$n]:-true} PT=b ;;
		allow.set_hostname | allow.reserved_ports | allow.unprivileged_proc_debug | allow.suser) REPLY=${P[$n]:-true} PT=b ;;
		allow.*) REPLY=${P[$n]:-false} PT=b ;;
		enforce_statfs) REPLY=${P[$n]:-2} PT=i ;; securelevel) REPLY=${P[$n]:--1} PT=i ;;
		devfs_ruleset | children.max | host.hostid) REPLY=${P[$n]:-0} PT=i ;;
		children.cur) local c=0 f; for f in "$S"/jails/"$JN".*/jid; do [[ -f $f && ${f%/jid} != "$S/jails/$JN".*.* ]] && ((c++)); done; REPLY=$c PT=i ;;
		cpuset.id) REPLY=$((JID + 1)) PT=i ;;
		parent) REPLY=0 PT=i; [[ $JN == *.* ]] && { local a=$JN b=$JID c=$JP; jget "${JN%.*}" && REPLY=$JID; JN=$a JID=$b JP=$c; } ;;
		osrelease) REPLY=${P[$n]:-}; [[ -n $REPLY ]] || sysval kern.osrelease ;;
		osreldate) REPLY=${P[$n]:-}; [[ -n $REPLY ]] || sysval kern.osreldate; PT=i ;;
		host.hostuuid) REPLY=${P[$n]:-00000000-0000-0000-0000-000000000000} ;;
		host.hostname | host.domainname) REPLY=${P[$n]:-} ;;
		host) REPLY=${P[$n]:-new} PT=j ;;
		vnet) REPLY=${P[$n]:-inherit} PT=j ;;
		ip4 | ip6) PT=j; REPLY=${P[$n]:-}
			if [[ -z $REPLY ]]; then
				if [[ ${P[vnet]} == new ]]; then REPLY=inherit; elif [[ -n ${P[$n.addr]} ]]; then REPLY=new; else REPLY=disable; fi
			fi ;;
		ip4.addr | ip6.addr) REPLY=${P[$n]:-} PT=a ;;
		sysvmsg | sysvsem | sysvshm) REPLY=${P[$n]:-disable} PT=j ;;
		*) REPLY= ;;
		esac
		if [[ -n $neg && $PT == b ]]; then [[ $REPLY == true ]] && REPLY=false || REPLY=true; fi
	}
	loadjail() {
		P=(); local l
		while IFS= read -r l; do [[ $l == *=* ]] && P[${l%%=*}]=${l#*=}; done <"$S/jails/$1/params"
		jget "$1"
	}
	# jls.c quoted_print(): quote values holding quotes, spaces or tabs when -q
	quoted() {
		local v=$1 qc=
		if [[ $v == *\'* ]]; then qc=\"; elif [[ $v == *\"* ]]; then qc=\'; elif [[ $v == *[\ $'\t']* ]]; then qc=\"; fi
		[[ -n $pQ && -n $qc ]] && v=$qc$v$qc
		REPLY=$v
	}
	SEL=()
	if [[ -n $jarg ]]; then
		if ((jid)); then jgetid "$jid" && SEL=("$JN") || JERR="jail $jid not found"
		else jget "$jarg" && SEL=("$JN") || JERR="jail \"$jarg\" not found"; fi
	else jall; SEL=("${JIDS[@]}"); fi
	out=
	if [[ $XO == text ]]; then
		case $mode in
		verbose) out+="   JID  Hostname                      Path"$'\n'"        Name                          State"$'\n'"        CPUSetID"$'\n'"        IP Address(es)"$'\n' ;;
		default) if [[ -n $pJ ]]; then out+=" JID             IP Address      Hostname                      Path"$'\n'
			else out+="   JID  IP Address      Hostname                      Path"$'\n'; fi ;;
		*) if [[ -n $pH ]]; then h=; for p in "${PL[@]}"; do h+=${h:+ }$p; done; out+=$h$'\n'; fi ;;
		esac
	fi
	[[ -n $jarg && ${#SEL[@]} == 0 ]] && { printf '%s' "$out"; die "$JERR"; }
	for j in "${SEL[@]}"; do
		loadjail "$j" || continue
		if [[ $mode == default || $mode == verbose ]]; then
			pvalue host.hostname; hn=$REPLY; pvalue ip4.addr; ip4=${REPLY%%,*}
			if [[ $XO == json ]]; then
				je "$hn"; hj=$REPLY; je "$JP"; pj=$REPLY; je "$JN"; nj=$REPLY; je "$ip4"; ij=$REPLY
				if [[ $mode == verbose ]]; then
					rec="{\"jid\":$JID,\"hostname\":$hj,\"path\":$pj,\"name\":$nj,\"state\":\"ACTIVE\",\"cpusetid\":$((JID + 1))"
					for f in 4 6; do pvalue ip$f.addr; l=; splitv , "$REPLY"; for a in "${SPL[@]}"; do je "$a"; l+=${l:+,}$REPLY; done; rec+=",\"ipv${f}_addrs\":[$l]"; done
					rec+="}"
				elif [[ -n $pJ ]]; then rec="{\"name\":$nj,\"ipv4\":$ij,\"hostname\":$hj,\"path\":$pj}"
				else rec="{\"jid\":$JID,\"ipv4\":$ij,\"hostname\":$hj,\"path\":$pj}"; fi
				out+=${out:+, }$rec
			elif [[ $mode == verbose ]]; then
				printf -v l '%6d  %-29.29s %.74s\n        %-29.29s %.74s\n        %d\n' "$JID" "$hn" "$JP" "$JN" ACTIVE $((JID + 1))
				out+=$l
				for f in 4 6; do pvalue ip$f.addr; splitv , "$REPLY"; for a in "${SPL[@]}"; do out+="        $a"$'\n'; done; done
			elif [[ -n $pJ ]]; then printf -v l ' %-15s %-15.15s %-29.29s %.74s\n' "$JN" "$ip4" "$hn" "$JP"; out+=$l
			else printf -v l '%6d  %-15.15s %-29.29s %.74s\n' "$JID" "$ip4" "$hn" "$JP"; out+=$l; fi
			continue
		fi
		line= rec=
		for p in "${PL[@]}"; do
			pvalue "$p"
			# -s skips read-only parameters and ones whose jailsys parent is not "new" (jls.c PRINT_SKIP)
			if [[ -n $pS ]]; then
				case $p in dying | parent | cpuset.id | children.cur | osreldate | osrelease) continue ;; esac
				if [[ $p == *.* ]]; then v=$REPLY t=$PT; pvalue "${p%%.*}"; [[ $PT == j && $REPLY != new ]] && continue; REPLY=$v PT=$t; fi
			fi
			if [[ $XO == json ]]; then
				v=$REPLY; je "$p"; k=$REPLY; REPLY=$v
				if [[ $PT == b && -n $pN ]]; then rec+=${rec:+,}$k:$REPLY
				elif [[ $PT == a ]]; then l=; splitv , "$REPLY"; for a in "${SPL[@]}"; do je "$a"; l+=${l:+,}$REPLY; done; rec+=${rec:+,}$k:[$l]
				else je "$REPLY"; rec+=${rec:+,}$k:$REPLY; fi
				continue
			fi
			line+=${line:+ }
			if [[ -n $pN && $PT == b ]]; then
				n=$p; [[ -z ${KNOWN[$n]} ]] && n=${p/.no/.} && [[ $n == "$p" ]] && n=${p#no}
				if [[ $REPLY == true ]]; then line+=$n; elif [[ $n == *.* ]]; then line+=${n%.*}.no${n##*.}; else line+=no$n; fi
				continue
			fi
			[[ -n $pN ]] && line+=$p=
			if [[ $PT == a && -z $REPLY ]]; then [[ -n $pQ ]] && line+='""' || [[ -n $pN ]] || line+=-
			elif [[ -z $REPLY ]]; then line+='""'
			else quoted "$REPLY"; line+=$REPLY; fi
		done
		if [[ $XO == json ]]; then out+=${out:+, }{$rec}; else out+=$line$'\n'; fi
	done
	if [[ $XO == json ]]; then printf '{"__version": "2", "jail-information": {"jail": [%s]}}\n' "$out"
	else printf '%s' "$out"; fi
	exit 0
fi

##############################################################################
# sysctl(8): sysctl [-bdehiNnoqTtWx] name[=value] ...; only a fixed set of oids exists.
if [[ $U == sysctl ]]; then
	fault sysctl
	n= q= i= e= a= rc=0
	while getopts ':AabdehiNnoqTtWXx' o; do
		case $o in
		n) n=1 ;; q) q=1 ;; i) i=1 ;; e) e=1 ;; a | A | X) a=1 ;; N | b | d | h | o | T | t | W | x) ;;
		*) badopt "$OPTARG" "$o"; warn "usage: sysctl [-bdehiNnoTtqx] [ -B <bufsize> ] [-f filename] name[=value] ..."; warn "       sysctl [-bdehNnoTtqx] [ -B <bufsize> ] -a"; exit 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	ALL=(hw.machine hw.machine_arch hw.ncpu kern.features.inet kern.features.inet6 kern.features.racct kern.features.vimage
		kern.hostname kern.osrelease kern.osreldate kern.ostype kern.racct.enable kern.securelevel security.jail.enforce_statfs
		security.jail.jailed security.jail.vnet)
	for f in "$S"/sysctl/*; do [[ -f $f ]] && ALL+=("${f##*/}"); done
	show() { if [[ -n $n ]]; then printf '%s\n' "$2"; elif [[ -n $e ]]; then printf '%s=%s\n' "$1" "$2"; else printf '%s: %s\n' "$1" "$2"; fi; }
	(($# == 0)) && [[ -z $a ]] && { warn "usage: sysctl [-bdehiNnoTtqx] [ -B <bufsize> ] [-f filename] name[=value] ..."; exit 1; }
	(($# == 0)) && set -- "${ALL[@]}"
	for arg; do
		oid=${arg%%=*}
		if [[ $arg == *=* ]]; then
			val=${arg#*=}
			sysval "$oid" || { [[ -n $i ]] && continue; [[ -n $q ]] || warn "unknown oid '$oid'"; rc=1; continue; }
			old=$REPLY
			case $oid in
			kern.racct.enable) warn "oid '$oid' is a read only tunable"; warn "Tunable values are set in /boot/loader.conf"; rc=1; continue ;;
			security.jail.jailed | kern.os* | hw.* | kern.features.*) warn "oid '$oid' is read only"; rc=1; continue ;;
			esac
			lock; [[ -d $S/sysctl ]] || /bin/mkdir -p "$S/sysctl"; printf '%s\n' "$val" >"$S/sysctl/$oid"; unlock
			if [[ -n $n ]]; then printf '%s\n' "$val"; else printf '%s: %s -> %s\n' "$oid" "$old" "$val"; fi
			continue
		fi
		if sysval "$oid"; then show "$oid" "$REPLY"; continue; fi
		hit=
		for k in "${ALL[@]}"; do [[ $k == "$oid".* ]] && sysval "$k" && { show "$k" "$REPLY"; hit=1; }; done
		[[ -n $hit ]] && continue
		[[ -n $i ]] && continue
		[[ -n $q ]] || warn "unknown oid '$oid'"
		rc=1
	done
	exit $rc
fi

##############################################################################
# kldstat(8): kldstat [-dhqv] [-i id] [-n filename] [-m modname]; modules are the files in state/kld.
if [[ $U == kldstat ]]; then
	fault kldstat
	q= m= nm=
	while getopts ':dhqvi:n:m:' o; do
		case $o in q) q=1 ;; m) m=$OPTARG ;; n) nm=$OPTARG ;; d | h | v | i) ;;
		*) badopt "$OPTARG" "$o"; warn "usage: kldstat [-dhqv] [-i id] [-n filename]"; warn "       kldstat [-dq] [-m modname]"; exit 1 ;;
		esac
	done
	if [[ -n $m ]]; then
		[[ -e $S/kld/$m ]] || { [[ -n $q ]] || warn "can't find module $m: No such file or directory"; exit 1; }
		[[ -n $q ]] || printf 'Id  Refs Name\n%3d %4d %s\n' 1 1 "$m"
		exit 0
	fi
	if [[ -n $nm ]]; then
		[[ -e $S/kld/${nm%.ko} ]] || { [[ -n $q ]] || warn "can't find file $nm: No such file or directory"; exit 1; }
		[[ -n $q ]] || printf 'Id Refs Address                Size Name\n%2d %4d 0xffffffff82a00000 %8x %s\n' 2 1 4096 "${nm%.ko}.ko"
		exit 0
	fi
	printf 'Id Refs Address                Size Name\n 1    1 0xffffffff80200000  1f4d8e8 kernel\n'
	k=2; for f in "$S"/kld/*; do [[ -e $f ]] && { printf '%2d %4d 0xffffffff82a%05x %8x %s.ko\n' $k 1 $((k * 4096)) 4096 "${f##*/}"; ((k++)); }; done
	exit 0
fi

##############################################################################
# ps(1): processes from /proc; a process is in jail J when its root directory is J's path.
if [[ $U == ps ]]; then
	fault ps
	XO=text; args=()
	while (($#)); do
		case $1 in
		--libxo) XO=$2; shift 2 || die "missing libxo option" ;;
		--libxo=* | --libxo:*) XO=${1:8}; shift ;;
		*) args+=("$1"); shift ;;
		esac
	done
	set -- "${args[@]}"
	[[ $XO == *json* ]] && XO=json || XO=text
	# kludge_oldps_options(): "ps ax" means "ps -ax"
	[[ -n $1 && $1 != -* ]] && set -- "-$1" "${@:2}"
	psusage() {
		printf '%s\n' "usage: ps [--libxo] [-aCcdefHhjlmrSTuvwXxZ] [-O fmt | -o fmt]" "          [-G gid[,gid...]] [-J jid[,jid...]] [-M core] [-N system]" "          [-p pid[,pid...]] [-t tty[,tty...]] [-U user[,user...]]" "       ps [--libxo] -L" >&2
		exit 1
	}
	# keyword table (bin/ps/keyword.c): name -> HEADER|libxo-field|L(eft-justified); aliases map to a name
	declare -A KT=(
		[%cpu]='%CPU|percent-cpu|' [%mem]='%MEM|percent-memory|' [args]='COMMAND|arguments|L' [command]='COMMAND|command|L'
		[comm]='COMMAND|command|L' [ucomm]='UCOMM|accounting-name|L' [class]='CLASS|login-class|L'
		[etime]='ELAPSED|elapsed-time|' [etimes]='ELAPSED|elapsed-times|' [f]='F|flags|' [gid]='GID|gid|'
		[group]='GROUP|group|L' [jail]='JAIL|jail-name|L' [jid]='JID|jail-id|' [login]='LOGIN|login-name|L'
		[lstart]='STARTED|start-time|L' [start]='STARTED|start-time|L' [lwp]='LWP|thread-id|' [nice]='NI|nice|'
		[nlwp]='NLWP|threads|' [pgid]='PGID|process-group|' [pid]='PID|pid|' [ppid]='PPID|ppid|' [sid]='SID|sid|'
		[pri]='PRI|priority|' [rgid]='RGID|real-gid|' [rgroup]='RGROUP|real-group|L' [rss]='RSS|rss|'
		[ruid]='RUID|real-uid|' [ruser]='RUSER|real-user|L' [state]='STAT|state|L' [svgid]='SVGID|saved-gid|'
		[svuid]='SVUID|saved-uid|' [time]='TIME|cpu-time|' [systime]='SYSTIME|system-time|'
		[usertime]='USERTIME|user-time|' [tpgid]='TPGID|terminal-process-gid|' [tsid]='TSID|terminal-sid|'
		[tt]='TT |terminal-name|' [tty]='TTY|tty|L' [uid]='UID|uid|' [user]='USER|user|L' [vsz]='VSZ|virtual-size|'
		[wchan]='WCHAN|wait-channel|L' [mwchan]='MWCHAN|wait-channel|L' [emul]='EMUL|emulation-envirnment|L'
		[label]='LABEL|label|L' [acflag]='ACFLG|accounting-flag|' [cow]='COW|copy-on-write-faults|' [cpu]='CPU|cpu-usage|'
		[dsiz]='DSIZ|data-size|' [f2]='F2|flags2|' [fib]='FIB|fib|' [inblk]='INBLK|read-blocks|'
		[jobc]='JOBC|job-control-count|' [ktrace]='KTRACE|ktrace|' [lim]='LIM|memory-limit|' [lockname]='LOCK|lock-name|L'
		[majflt]='MAJFLT|major-faults|' [minflt]='MINFLT|minor-faults|' [msgrcv]='MSGRCV|received-messages|'
		[msgsnd]='MSGSND|sent-messages|' [nivcsw]='NIVCSW|involuntary-context-switches|' [nsigs]='NSIGS|signals-taken|'
		[nswap]='NSWAP|swaps|' [nvcsw]='NVCSW|voluntary-context-switches|' [nwchan]='NWCHAN|wait-channel-address|L'
		[oublk]='OUBLK|written-blocks|' [paddr]='PADDR|process-address|' [pagein]='PAGEIN|pageins|'
		[re]='RE|residency-time|' [rtprio]='RTPRIO|realtime-priority|' [sig]='PENDING|signals-pending|'
		[sigcatch]='CAUGHT|signals-caught|' [sigignore]='IGNORED|signals-ignored|' [sigmask]='BLOCKED|signal-mask|'
		[sl]='SL|sleep-time|' [ssiz]='SSIZ|stack-size|' [tdaddr]='TDADDR|thread-address|' [tdev]='TDEV|terminal-device|'
		[tdname]='TDNAME|thread-name|L' [tracer]='TRACER|tracer|' [tsiz]='TSIZ|text-size|' [upr]='UPR|user-priority|'
		[uprocp]='UPROCP|process-address|' [vmaddr]='VMADDR|vmspace-address|' [xstat]='XSTAT|exit-status|'
	)
	declare -A KA=([cputime]=time [stat]=state [euid]=uid [egid]=gid [egroup]=group [ni]=nice [pcpu]=%cpu [pmem]=%mem [vsize]=vsz [flags]=f [tid]=lwp [logname]=login [tdnam]=tdname [inblock]=inblk [oublock]=oublk [acflg]=acflag [blocked]=sigmask [caught]=sigcatch [ignored]=sigignore [pending]=sig [nsignals]=nsigs [usrpri]=upr)
	# kw NAME -> KC canonical name, KH header, KX libxo field, KL non-empty when left-justified
	kw() {
		local r
		[[ -n ${KA[$1]+x} ]] && set -- "${KA[$1]}"
		[[ -n ${KT[$1]+x} ]] || return 1
		r=${KT[$1]}; KC=$1 KH=${r%%|*}; r=${r#*|}; KX=${r%%|*}; KL=${r#*|}
	}
	# parsefmt(): an item containing '=' sets the header and swallows the REST of the string (keyword.c)
	KWS=() HDS=()
	parsefmt() {
		local s=$1 item hdr
		while [[ -n $s ]]; do
			local pre=${s%%[= $'\t',$'\n']*}
			if [[ ${s:${#pre}:1} == = ]]; then item=$s s=
			else
				s=${s#"${s%%[! $'\t',$'\n']*}"}; [[ -z $s ]] && break
				item=${s%%[ $'\t',$'\n']*}; s=${s:${#item}}
			fi
			hdr=; local hashdr=
			[[ $item == *=* ]] && { hdr=${item#*=}; item=${item%%=*}; hashdr=1; }
			if kw "$item"; then KWS+=("$KC"); if [[ -n $hashdr ]]; then HDS+=("$hdr"); else HDS+=("$KH"); fi
			else warn "$item: keyword not found"; EVAL=1; fi
		done
	}
	EVAL=0 fmt= xkeep= ximp= nsel=0 all= PIDS=() JSEL=() USEL=() optfatal=
	addjid() {
		local e
		splitv $' ,\t' "$1"
		for x in "${SPL[@]}"; do
			if [[ $x =~ ^[0-9]+$ ]] && ((10#$x == 0)); then JSEL+=(0)
			elif jresolve "$x"; then JSEL+=("$JID"); else warn "Invalid jail id: $x"; optfatal=1; fi
		done
	}
	addpid() {
		local e
		splitv $' ,\t' "$1"
		for x in "${SPL[@]}"; do if [[ $x =~ ^[0-9]+$ ]]; then PIDS+=($((10#$x))); else warn "Invalid process id: $x"; optfatal=1; fi; done
	}
	while getopts ':AaCcdeG:gHhjJ:LlM:mN:O:o:p:rSTt:U:uvwXxZ' o; do
		case $o in
		A) ((nsel++)); all=1 xkeep=1 ;; a) ((nsel++)); all=1 ;;
		J) addjid "$OPTARG"; ximp=1; ((nsel++)) ;;
		p) addpid "$OPTARG"; ((nsel++)) ;;
		U) splitv $' ,\t' "$OPTARG"; USEL+=("${SPL[@]}"); ximp=1; ((nsel++)) ;;
		o) parsefmt "$OPTARG"; fmt=1 ;;
		O) parsefmt pid; parsefmt "$OPTARG"; parsefmt tt,state,time,command; fmt=1 ;;
		j) parsefmt user,pid,ppid,pgid,sid,jobc,state,tt,time,command; fmt=1 ;;
		l) parsefmt uid,pid,ppid,cpu,pri,nice,vsz,rss,mwchan,state,tt,time,command; fmt=1 ;;
		u) parsefmt user,pid,%cpu,%mem,vsz,rss,tt,state,start,time,command; fmt=1 ;;
		v) parsefmt pid,state,time,sl,re,pagein,vsz,rss,lim,tsiz,%cpu,%mem,command; fmt=1 ;;
		X) xkeep=0 ;; x) xkeep=1 ;;
		L) echo "%cpu %mem acflag acflg args blocked caught class comm command cow cpu cputime dsiz egid egroup emul etime etimes euid f f2 fib flags gid group ignored inblk inblock jail jid jobc ktrace label lim lockname login logname lstart lwp majflt minflt msgrcv msgsnd mwchan ni nice nivcsw nlwp nsignals nsigs nswap nvcsw nwchan oublk oublock paddr pagein pcpu pending pgid pid pmem ppid pri re rgid rgroup rss rtprio ruid ruser sid sig sigcatch sigignore sigmask sl ssiz start stat state svgid svuid systime tdaddr tdev tdnam tdname tid time tpgid tracer tsid tsiz tt tty ucomm uid upr uprocp user usertime usrpri vmaddr vsize vsz wchan xstat"; exit 0 ;;
		M | N) unsup "ps -$o is not supported" ;;
		t | G) unsup "ps -$o is not supported" ;;
		C | c | d | e | g | H | h | m | r | S | T | w | Z) ;;
		:) badopt "$OPTARG" :; psusage ;; *) badopt "$OPTARG"; psusage ;;
		esac
	done
	shift $((OPTIND - 1))
	while (($#)) && [[ $1 == [0-9]* ]]; do addpid "$1"; shift; done
	(($#)) && { warn "illegal argument: $1"; psusage; }
	[[ -n $optfatal ]] && exit 1
	[[ -z $xkeep ]] && xkeep=${ximp:-0}
	[[ -z $fmt ]] && parsefmt pid,tt,state,time,command
	((${#KWS[@]})) || { warn "no valid keywords; valid keywords:"; "$0" -L >&2; exit 1; }
	((nsel == 0)) && { USEL=(0); nsel=1; }
	# user/group names only when a keyword or -U needs them (the host's databases, as FreeBSD ps runs on the host)
	declare -A UNAME UIDOF GNAME
	need=" ${KWS[*]} ${USEL[*]} "
	if [[ $need == *' user '* || $need == *' ruser '* || $need == *[a-zA-Z_]* && ${#USEL[@]} -gt 0 ]]; then
		hostetc passwd; while IFS=: read -r n _ u _; do [[ -n ${UNAME[$u]+x} ]] || UNAME[$u]=$n; UIDOF[$n]=$u; done <"$REPLY"
	fi
	if [[ $need == *' group '* || $need == *' rgroup '* ]]; then
		hostetc group; while IFS=: read -r n _ g _; do [[ -n ${GNAME[$g]+x} ]] || GNAME[$g]=$n; done <"$REPLY"
	fi
	USELN=(); for u in "${USEL[@]}"; do if [[ $u =~ ^[0-9]+$ ]]; then USELN+=("$u"); elif [[ -n ${UIDOF[$u]+x} ]]; then USELN+=("${UIDOF[$u]}"); else warn "No user named '$u'"; exit 1; fi; done
	needuid=; [[ $need == *' '@(uid|ruid|svuid|user|ruser)' '* ]] && needuid=1
	needgid=; [[ $need == *' '@(gid|rgid|svgid|group|rgroup)' '* ]] && needgid=1
	jall; declare -A JPATH; for j in "${!JIDS[@]}"; do jget "${JIDS[j]}" && JPATH[$j]=$JP; done
	while read -r k v; do [[ $k == btime ]] && { BT=$v; break; }; done </proc/stat
	printf -v NOW '%(%s)T' -1
	# candidate pids in ascending order (bash indexed arrays iterate by index); -p alone reads only those,
	# and -J alone (runj's case) tests only the selected jails' roots, with few commands per process
	CAND=() PSET=() JOF=() pidonly=
	for p in "${PIDS[@]}"; do PSET[p]=1; done
	if ((${#PIDS[@]} && nsel == 1)); then pidonly=1; for p in "${PIDS[@]}"; do CAND[p]=1; done
	elif ((${#JSEL[@]} == nsel && xkeep == 1)) && [[ " ${JSEL[*]} " != *' 0 '* ]]; then
		SP=() SJ=(); for j in "${JSEL[@]}"; do SP+=("${JPATH[$j]}") SJ+=("$j"); done
		for d in /proc/[0-9]*; do
			for k in "${!SP[@]}"; do [[ $d/root -ef ${SP[k]} ]] && { p=${d#/proc/}; CAND[p]=1 PSET[p]=1 JOF[p]=${SJ[k]}; break; }; done
		done
	else for d in /proc/[0-9]*; do CAND[${d#/proc/}]=1; done; fi
	# pjid PID -> REPLY: the jail whose path is this process's root (0 = host)
	pjid() { local j; for j in "${!JPATH[@]}"; do [[ /proc/$1/root -ef ${JPATH[$j]} ]] && { REPLY=$j; return; }; done; REPLY=0; }
	getuids() { while read -r k a b c _; do [[ $k == Uid: ]] && { ruid=$a uid=$b svuid=$c; break; }; done </proc/$1/status; }
	ROWS=() NK=${#KWS[@]} W=() KLS=() KXS=(); for ((i = 0; i < NK; i++)); do W[i]=${#HDS[i]}; kw "${KWS[i]}"; KLS[i]=$KL KXS[i]=$KX; done
	for pid in "${!CAND[@]}"; do
		uid= jid=${JOF[pid]} st=
		# selection as in ps.c: -p matches first, then -X/-x (no controlling terminal), then the OR of selectors
		if [[ -z ${PSET[pid]} ]]; then
			[[ -n $pidonly ]] && continue
			if ((xkeep == 0)); then
				IFS= read -r st 2>/dev/null </proc/$pid/stat || continue
				set -f; F=(${st##*) }); set +f
				((F[4] == 0)) && continue
			fi
			keep=$all
			if [[ -z $keep && ${#JSEL[@]} -gt 0 ]]; then pjid "$pid"; jid=$REPLY; for j in "${JSEL[@]}"; do ((j == jid)) && keep=1; done; fi
			if [[ -z $keep && ${#USELN[@]} -gt 0 ]]; then
				if [[ ${USELN[*]} == "$EUID" ]]; then [[ -O /proc/$pid ]] && keep=1
				else getuids "$pid"; for u in "${USELN[@]}"; do [[ $u == "$uid" ]] && keep=1; done; fi
			fi
			[[ -n $keep ]] || continue
		fi
		if [[ -z $st ]]; then IFS= read -r st 2>/dev/null </proc/$pid/stat || continue; set -f; F=(${st##*) }); set +f; fi
		comm=${st#*\(}; comm=${comm%\)*} tty=${F[4]}
		[[ -n $needuid && -z $uid ]] && getuids "$pid"
		[[ -n $needgid ]] && while read -r k a b c _; do [[ $k == Gid: ]] && { rgid=$a gid=$b svgid=$c; break; }; done </proc/$pid/status
		[[ -n $jid ]] || { pjid "$pid"; jid=$REPLY; }
		start=$((BT + F[19] / 100)) et=$((NOW - BT - F[19] / 100)); ((et < 0)) && et=0
		row=()
		for ((i = 0; i < NK; i++)); do
			case ${KWS[i]} in
			pid) v=$pid ;; ppid) v=${F[1]} ;; pgid) v=${F[2]} ;; sid) v=${F[3]} ;; tpgid) v=${F[5]} ;; tsid) v=${F[3]} ;;
			jid) v=$jid ;; jail) v=${JIDS[jid]:--} ;;
			uid) v=$uid ;; ruid) v=$ruid ;; svuid) v=$svuid ;; gid) v=$gid ;; rgid) v=$rgid ;; svgid) v=$svgid ;;
			user) v=${UNAME[$uid]:-$uid} ;; ruser) v=${UNAME[$ruid]:-$ruid} ;; login) v=- ;;
			group) v=${GNAME[$gid]:-$gid} ;; rgroup) v=${GNAME[$rgid]:-$rgid} ;;
			nice) v=${F[16]} ;; nlwp) v=${F[17]} ;; pri) v=${F[15]} ;;
			vsz) v=$((F[20] / 1024)) ;; rss) v=$((F[21] * 4)) ;; %cpu | %mem) v=0.0 ;;
			etimes) v=$et ;;
			etime) d=$((et / 86400)) h=$((et % 86400 / 3600)) m=$((et % 3600 / 60)) s=$((et % 60))
				if ((d)); then printf -v v '%3d-%02d:%02d:%02d' $d $h $m $s; elif ((h)); then printf -v v '%02d:%02d:%02d' $h $m $s; else printf -v v '%02d:%02d' $m $s; fi ;;
			lstart) printf -v v '%(%a %b %e %H:%M:%S %Y)T' "$start" ;;
			start) printf -v v '%(%H:%M)T' "$start" ;;
			time | usertime | systime)
				case ${KWS[i]} in time) t=$((F[11] + F[12])) ;; usertime) t=${F[11]} ;; *) t=${F[12]} ;; esac
				printf -v v '%d:%02d.%02d' $((t / 100 / 60)) $((t / 100 % 60)) $((t % 100)) ;;
			state)
				case ${F[0]} in R) v=R ;; S) ((et >= 20)) && v=I || v=S ;; D) v=D ;; T | t) v=T ;; Z | X | x) v=Z ;; I) v=I ;; W) v=W ;; *) v='?' ;; esac
				((F[16] < 0)) && v+='<'; ((F[16] > 0)) && v+=N
				((F[3] == pid)) && v+=s
				((tty != 0 && F[2] == F[5])) && v+=+
				((jid != 0)) && v+=J ;;
			tt | tty)
				if ((tty == 0)); then v='- '; [[ ${KWS[i]} == tty ]] && v=-
				else maj=$(((tty >> 8) & 0xfff)) min=$(((tty & 0xff) | ((tty >> 12) & 0xfff00)))
					if ((maj >= 136 && maj <= 143)); then v=$((min + (maj - 136) * 256)); else v=v$min; fi
					[[ ${KWS[i]} == tty ]] && v=pts/$v || v+=' '; fi ;;
			comm | ucomm) v=$comm ;;
			command | args)
				mapfile -d '' -t A 2>/dev/null </proc/$pid/cmdline
				if ((${#A[@]})); then v=${A[*]}; elif [[ ${F[0]} == Z ]]; then v='<defunct>'; else v="[$comm]"; fi ;;
			wchan | mwchan) v=-; [[ ${F[0]} == [SD] ]] && { read -r v </proc/$pid/wchan; [[ $v == 0 || -z $v ]] && v=-; } ;;
			emul) v='FreeBSD ELF64' ;; class) v=default ;;
			*) v=- ;;
			esac
			row+=("$v")
			((${#v} > W[i])) && W[i]=${#v}
		done
		ROWS+=("${row[@]}")
	done
	NR=$((${#ROWS[@]} / NK))
	# text header (printheader(): omitted when every header is empty)
	hdr=
	if [[ $XO == text ]]; then
		any=; for h in "${HDS[@]}"; do [[ -n $h ]] && any=1; done
		if [[ -n $any ]]; then
			for ((i = 0; i < NK; i++)); do
				if ((i == NK - 1)) && [[ -n ${KLS[i]} ]]; then hdr+=${HDS[i]}
				elif [[ -n ${KLS[i]} ]]; then printf -v h '%-*s' "${W[i]}" "${HDS[i]}"; hdr+=$h
				else printf -v h '%*s' "${W[i]}" "${HDS[i]}"; hdr+=$h; fi
				((i < NK - 1)) && hdr+=' '
			done
			printf '%s\n' "$hdr"
		fi
	fi
	if ((NR == 0)); then [[ $XO == json ]] && printf '{"__version": "1"}\n'; exit 1; fi
	out=
	for ((r = 0; r < NR; r++)); do
		line=
		for ((i = 0; i < NK; i++)); do
			v=${ROWS[r * NK + i]}
			if [[ $XO == json ]]; then je "$v"; line+=${line:+,}\"${KXS[i]}\":$REPLY; continue; fi
			if ((i == NK - 1)) && [[ -n ${KLS[i]} ]]; then line+=$v
			elif [[ -n ${KLS[i]} ]]; then printf -v h '%-*s' "${W[i]}" "$v"; line+=$h
			else printf -v h '%*s' "${W[i]}" "$v"; line+=$h; fi
			((i < NK - 1)) && line+=' '
		done
		if [[ $XO == json ]]; then out+=${out:+, }{$line}; else out+=$line$'\n'; fi
	done
	if [[ $XO == json ]]; then printf '{"__version": "1", "process-information": {"process": [%s]}}\n' "$out"; else printf '%s' "$out"; fi
	exit $EVAL
fi

##############################################################################
# Helpers of jexec, limits, jail and rctl (defined here so that the utilities above never parse them).
# The ENV array is a process environment being built (from /proc/$$/environ: exactly what the caller passed).
setenv() { # setenv NAME VALUE [nooverwrite]
	local i
	for i in "${!ENV[@]}"; do
		if [[ ${ENV[i]} == "$1="* ]]; then [[ -n $3 ]] || ENV[i]=$1=$2; return; fi
	done
	ENV+=("$1=$2")
}
getenv() { local e; for e in "${ENV[@]}"; do [[ $e == "$1="* ]] && { REPLY=${e#*=}; return 0; }; done; return 1; }
# lc_load DB CLASS: cgetent(3) of a login.conf(5) class into the CAP assoc array (declared by the caller),
# following tc=; the first definition of a capability wins. Returns 1 when the class is not there.
lc_load() { # $1 db file $2 class
	local line= l ent f n done=
	[[ -r $1 ]] || return 1
	while IFS= read -r l || [[ -n $l ]]; do
		[[ $l == \#* ]] && continue
		if [[ $l == *\\ ]]; then line+=${l%\\}; continue; fi
		line+=$l
		[[ $line =~ ^[[:space:]]*$ ]] && { line=; continue; }
		ent=$line; line=
		splitv '|' "${ent%%:*}"; n=("${SPL[@]}")
		local hit=; for f in "${n[@]}"; do [[ $f == "$2" ]] && hit=1; done
		[[ -n $hit ]] || continue
		splitv : "${ent#*:}"; n=("${SPL[@]}")
		for f in "${n[@]}"; do
			f=${f#"${f%%[![:space:]]*}"}
			[[ -z $f ]] && continue
			if [[ $f == tc=* ]]; then lc_load "$1" "${f#tc=}"; continue; fi
			local k=${f%%[=#@]*}
			[[ -n ${CAP[$k]+x} ]] && continue           # the first definition wins (cgetent)
			if [[ $f == *@ ]]; then CAP[$k]=; elif [[ $f == *=* ]]; then CAP[$k]=${f#*=}; elif [[ $f == *\#* ]]; then CAP[$k]=${f#*\#}; else CAP[$k]=1; fi
		done
		done=1; break
	done <"$1"
	[[ -n $done ]]
}
# cgroups enforcing rctl maxproc/memoryuse deny rules (README "rctl"). state/cgroups, written by install.sh,
# holds one line per usable controller: "pids|memory v1|v2 DIR"; DIR is this instance's parent cgroup and
# DIR/<jail name> the jail's. cg_load -> CGP CGM (dirs) CGV (version); 1 when there is none.
cg_load() {
	CGP= CGM= CGV=
	[[ -s $S/cgroups ]] || return 1
	local c v d
	while read -r c v d; do case $c in pids) CGP=$d ;; memory) CGM=$d ;; esac; CGV=$v; done <"$S/cgroups"
	[[ -n $CGP$CGM ]]
}
# cg_rules NAME -> CPMAX CMMAX: amounts of the jail's maxproc / memoryuse deny rules (per jail), empty if none
cg_rules() {
	CPMAX= CMMAX=
	local l
	[[ -s $S/rctl ]] || return 0
	while IFS= read -r l; do
		[[ $l == */* ]] && continue
		case $l in "jail:$1:maxproc:deny="*) CPMAX=${l##*=} ;; "jail:$1:memoryuse:deny="*) CMMAX=${l##*=} ;; esac
	done <"$S/rctl"
}
# cg_sync NAME [PID ...]: make the jail's cgroups match its rules (create, set pids.max / memory limit, move the
# PIDs in), or relax them and remove them when they are empty. Errors are ignored: the rule itself stands.
cg_sync() {
	local n=$1 c d v f
	shift
	cg_load || return 0
	cg_rules "$n"
	if [[ -n $CPMAX$CMMAX ]]; then
		for d in $CGP $CGM; do
			[[ -d $d/$n ]] && continue
			if [[ ! -d $d ]]; then
				/bin/mkdir -p -- "$d" 2>/dev/null || continue
				# v2: the controllers must be enabled in the root's and in our parent's subtree_control
				if [[ $CGV == v2 ]]; then for c in ${CGP:+pids} ${CGM:+memory}; do echo "+$c" >"${d%/*}/cgroup.subtree_control"; echo "+$c" >"$d/cgroup.subtree_control"; done 2>/dev/null; fi
			fi
			/bin/mkdir -- "$d/$n" 2>/dev/null
		done
	fi
	for c in pids memory; do
		if [[ $c == pids ]]; then d=$CGP v=$CPMAX f=pids.max; else d=$CGM v=$CMMAX f=memory.max; [[ $CGV == v1 ]] && f=memory.limit_in_bytes; fi
		[[ -n $d && -d $d/$n ]] || continue
		if [[ -n $v ]]; then echo "$v" >"$d/$n/$f"
		elif [[ $f == memory.limit_in_bytes ]]; then echo -1 >"$d/$n/$f"
		else echo max >"$d/$n/$f"; fi
	done 2>/dev/null
	if [[ -n $CPMAX$CMMAX ]]; then
		for d in ${CPMAX:+$CGP} ${CMMAX:+$CGM}; do for v; do echo "$v" >"$d/$n/cgroup.procs"; done; done 2>/dev/null
	else
		for d in $CGP $CGM; do [[ -d $d/$n ]] && /bin/rmdir -- "$d/$n" "$d" 2>/dev/null; done
	fi
	return 0
}
# cg_drop NAME: remove the jail's cgroups (jail -r, after its processes were killed; they may take a moment to go)
cg_drop() {
	local d i
	cg_load || return 0
	for d in $CGP $CGM; do
		[[ -d $d/$1 ]] || continue
		for ((i = 0; i < 40; i++)); do /bin/rmdir -- "$d/$1" 2>/dev/null && break; /bin/sleep 0.05; done
		/bin/rmdir -- "$d" 2>/dev/null
	done
	return 0
}

##############################################################################
# jexec(8): jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]
# Runs the command as a real process: exec env -i <caller's exact environment> [setpriv] unshare -R <path> ...
# No fork: the pid runj sees is the pid of the jailed command.
if [[ $U == jexec ]]; then
	fault jexec
	jxusage() { printf '%s\n' "usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]" >&2; exit 1; }
	clean= user= uflag= Uflag= dir=
	while getopts ':d:lnu:U:' o; do
		case $o in
		d) dir=$OPTARG ;; l) clean=1 ;; n) ;;
		u) user=$OPTARG uflag=1 ;; U) user=$OPTARG Uflag=1 ;;
		:) badopt "$OPTARG" :; jxusage ;; *) badopt "$OPTARG"; jxusage ;;
		esac
	done
	shift $((OPTIND - 1))
	(($# < 1)) && jxusage
	[[ -n $uflag && -n $Uflag ]] && jxusage
	# getpwnam(3) on a passwd file: 7-field /etc/passwd or 10-field master.passwd (which has the login class)
	pwnam() {
		local f l IFS=:
		[[ -r $1 ]] || return 1
		while read -r -a f; do
			[[ ${f[0]} == "$2" ]] || continue
			PW_NAME=${f[0]} PW_UID=${f[2]} PW_GID=${f[3]}
			if ((${#f[@]} >= 10)); then PW_CLASS=${f[4]} PW_DIR=${f[8]} PW_SHELL=${f[9]}; else PW_CLASS= PW_DIR=${f[5]} PW_SHELL=${f[6]}; fi
			return 0
		done <"$1"
		return 1
	}
	# getgrouplist(3): the base gid first, then every group listing the user, without duplicates
	grouplist() {
		local f m g IFS=:
		GROUPS_CSV=$3
		[[ -r $1 ]] || return 0
		while read -r -a f; do
			g=${f[2]}; [[ -n $g ]] || continue
			splitv , "${f[3]}"
			for u in "${SPL[@]}"; do [[ $u == "$2" && ",$GROUPS_CSV," != *",$g,"* ]] && GROUPS_CSV+=,$g; done
		done <"$1"
	}
	getuser() { # $1 passwd $2 group $3 user ; errors exactly as jexec.c get_user_info()
		pwnam "$1" "$3" || die "$3: no such user"
		grouplist "$2" "$3" "$PW_GID"
	}
	LCDB=
	# getpwnam(3) reads pwd.db, built from master.passwd (which has the login class); fall back to passwd
	pwfile() { if [[ -r $1/master.passwd ]]; then REPLY=$1/master.passwd; else REPLY=$1/passwd; fi; }
	if [[ -n $uflag ]]; then hostetc passwd; pwfile "${REPLY%/*}"; hp=$REPLY; hostetc group; getuser "$hp" "$REPLY" "$user"
		hostetc login.conf; LCDB=$REPLY
	elif [[ -n $clean && -z $Uflag ]]; then hostetc passwd; pwfile "${REPLY%/*}"; hp=$REPLY; hostetc group
		pwnam "$hp" root || die "unknown uid: 0"; grouplist "$REPLY" root "$PW_GID"; hostetc login.conf; LCDB=$REPLY
	fi
	[[ $1 =~ ^0+$ ]] && die "jail_attach(0): Invalid argument"   # jail_getid("0") is 0, the host
	jresolve "$1" || die "$JERR"
	root=$JP
	shift
	if [[ -n $Uflag ]]; then pwfile "$root/etc"; getuser "$REPLY" "$root/etc/group" "$user"; LCDB=$root/etc/login.conf; fi
	# The caller's environment exactly as it was at exec time (bash adds SHLVL, PWD, _ to its own).
	mapfile -d '' -t ENV </proc/$$/environ
	for i in "${!ENV[@]}"; do [[ ${ENV[i]} == ?*=* ]] || unset 'ENV[i]'; done   # env(1) would take "X" for the command
	ENV=("${ENV[@]}")
	# login_getpwclass(3)+setusercontext(3) emulation: CAP from the class entry of login.conf (lc_load)
	declare -A CAP
	lc_path() { local p out= w; splitv $' \t' "$1"; for w in "${SPL[@]}"; do [[ $w == '~'* ]] && w=$PW_DIR${w#\~}; out+=${out:+:}$w; done; REPLY=$out; }
	if [[ -n $clean || -n $user ]]; then
		cls=${PW_CLASS:-}
		if [[ -n $cls ]]; then lc_load "$LCDB" "$cls" || lc_load "$LCDB" default
		elif [[ $PW_UID == 0 ]]; then lc_load "$LCDB" root || lc_load "$LCDB" default
		else lc_load "$LCDB" default; fi
		if [[ -n $clean ]]; then
			getenv TERM && term=$REPLY || term=
			ENV=(PATH=/bin:/usr/bin); [[ -n $term ]] && ENV+=("TERM=$term")
		fi
		# LOGIN_SETPATH | LOGIN_SETENV (always); the rest of LOGIN_SETALL only with a user
		for pv in path:PATH cdpath:CDPATH manpath:MANPATH; do
			[[ -n ${CAP[${pv%%:*}]+x} ]] && { lc_path "${CAP[${pv%%:*}]}"; setenv "${pv#*:}" "$REPLY"; }
		done
		for pv in lang:LANG charset:MM_CHARSET mail:MAIL timezone:TZ; do
			[[ -n ${CAP[${pv%%:*}]+x} ]] && setenv "${pv#*:}" "${CAP[${pv%%:*}]}"
		done
		[[ -n ${CAP[term]+x} ]] && setenv TERM "${CAP[term]}" keep
		if [[ -n ${CAP[setenv]+x} ]]; then
			splitv , "${CAP[setenv]}"
			for e in "${SPL[@]}"; do [[ $e == *=* ]] && { v=${e#*=}; v=${v//\~/$PW_DIR}; setenv "${e%%=*}" "$v"; }; done
		fi
		if [[ -n $user ]]; then
			# setusercontext(3): without a umask capability the caller's umask is kept
			[[ -n ${CAP[umask]+x} ]] && umask "${CAP[umask]}"
			for rl in openfiles:n maxproc:u coredumpsize:c stacksize:s datasize:d filesize:f cputime:t memorylocked:l; do
				k=${rl%%:*}; v=${CAP[$k]:-${CAP[$k-cur]:-}}
				[[ -n $v ]] || continue
				[[ $v == infinity ]] && v=unlimited
				ulimit -S -"${rl#*:}" "$v" 2>/dev/null
			done
		fi
		setenv USER "$PW_NAME"; setenv HOME "$PW_DIR"; setenv SHELL "${PW_SHELL:-/bin/sh}"
		[[ -n $clean && -n $user && -z $dir ]] && dir=$PW_DIR
	fi
	wd=${dir:-/}; [[ $wd == /* ]] || wd=/$wd
	[[ -d $root$wd ]] || die "chdir: $wd: No such file or directory"
	if (($# == 0)); then getenv SHELL && set -- "$REPLY" -i || set -- /bin/sh -i; fi
	# execvp(3) inside the jail: fail like FreeBSD when nothing by that name exists there
	c=$1 found=
	if [[ $c == */* ]]; then [[ $c == /* ]] || c=$wd/$c; [[ -e $root$c || -L $root$c ]] && found=1
	else
		getenv PATH && sp=$REPLY || sp=/usr/bin:/bin
		splitv : "$sp"
		for d in "${SPL[@]}"; do [[ $d == /* ]] || d=$wd/$d; [[ -f $root$d/$c || -L $root$d/$c ]] && { found=1; break; }; done
	fi
	# FreeBSD's /usr/bin/limits inside the jail (a Linux rootfs has none): the simulator's limits runs in its
	# place, still outside the chroot, and execs `unshare -R <path> ...` itself once it has set the limits.
	inner=(/usr/bin/unshare -R "$root" -w "$wd")
	[[ -n $user ]] && inner+=(-S "$PW_UID")
	if [[ -z $found && ($c == /usr/bin/limits || $c == limits && ":$sp:" == *:/usr/bin:*) ]]; then
		inner=("$B/limits" --sim-jail "$root" "$wd" "${user:+$PW_UID}"); found=1; shift
	fi
	[[ -n $found ]] || die "execvp: $1: No such file or directory"
	# A jail with host.hostname has its own: emulated with a UTS namespace entered without a fork.
	uts=()
	while IFS= read -r l; do [[ $l == host.hostname=?* ]] && uts=(/usr/bin/unshare --uts -- /bin/sh -c 'hostname "$1" || exit 1; shift; exec "$@"' sim-hostname "${l#host.hostname=}"); done <"$S/jails/$JN/params"
	# rctl maxproc/memoryuse deny rules: join the jail's cgroup; the pid (and so the cgroup) stays through the execs
	[[ -s $S/rctl && -s $S/cgroups ]] && cg_sync "$JN" $$
	if [[ -n $user ]]; then
		exec "${uts[@]}" /usr/bin/env -i -- "${ENV[@]}" /usr/bin/setpriv --regid "$PW_GID" --groups "$GROUPS_CSV" -- "${inner[@]}" -- "$@"
	fi
	exec "${uts[@]}" /usr/bin/env -i -- "${ENV[@]}" "${inner[@]}" -- "$@"
fi

##############################################################################
# jail(8): jail [-dhilqv] [-J jid_file] -c param=value ... ; jail [-qv] -r|-R jail ...
if [[ $U == jail ]]; then
	jusage() {
		printf '%s\n' "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]" \
			"            -[cmr] param=value ... [command=command ...]" "       jail [-dqv] [-f file] -[cmr] [jail]" \
			"       jail [-qv] [-f file] -[rR] ['*' | jail ...]" "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]" \
			"            [-n jailname] [-s securelevel]" "            path hostname [ip[,...]] command ..." >&2
		exit 1
	}
	op= iflag= verbose=0 jfile= extra=()
	for a; do [[ $a == -* ]] || break; [[ $a == *c* && $a != *[fJnpsuU]*c* ]] && op+=c; [[ $a == *[rR]* ]] && op+=r; [[ $a == *m* ]] && op+=m; done
	case $op in c*) fault jail-c ;; r*) fault jail-r ;; m*) fault jail-m ;; esac
	op=
	while getopts ':cdf:hiJ:lmn:p:qrRs:u:U:v' o; do
		case $o in
		c) op+=c ;; m) op+=m ;; r | R) op+=r ;;
		i) iflag=1 verbose=-1 ;; q) verbose=-1 ;; v) verbose=1 ;; d | p) ;;
		J) jfile=$OPTARG ;; n) extra+=("name=$OPTARG") ;; s) extra+=("securelevel=$OPTARG") ;;
		f) unsup "jail -f (jail.conf) is not supported" ;;
		h | l | u | U) unsup "jail -$o is not supported (no commands are run)" ;;
		:) badopt "$OPTARG" :; jusage ;; *) badopt "$OPTARG"; jusage ;;
		esac
	done
	shift $((OPTIND - 1))
	if [[ -z $op ]]; then (($# < 4)) || [[ $1 != /* ]] && jusage; unsup "the old-style jail command line is not supported"; fi
	[[ $op == *m* ]] && unsup "jail -m is not supported"
	[[ $op == *c* && $op == *r* ]] && unsup "jail -cr (restart) is not supported"

	#------------------------------------------------------------ jail -r / -R
	if [[ $op == r* ]]; then
		(($# == 0)) && jusage
		for a; do [[ $a == *=* ]] && jusage; done
		stopwait() { # wait until none of the pids is alive (zombies count as gone); $1 = seconds, may be decimal
			local i=${1%%.*} f=000000 p st alive end
			[[ $1 == *.* ]] && f=${1#*.}000000
			end=$(( ${EPOCHREALTIME/./} + 10#${i:-0} * 1000000 + 10#${f:0:6} ))
			while :; do
				alive=
				for p in "${PIDS[@]}"; do IFS= read -r st 2>/dev/null </proc/$p/stat && [[ ${st##*) } != [ZX]* ]] && { alive=1; break; }; done
				[[ -z $alive ]] && return 0
				((${EPOCHREALTIME/./} >= end)) && return 1
				/bin/sleep 0.05
			done
		}
		procs_in() { # PIDS = live processes whose root is one of the given paths
			PIDS=(); local d p j
			for d in /proc/[0-9]*; do
				p=${d#/proc/}; ((p == $$)) && continue
				for j; do [[ $d/root -ef $j ]] && { PIDS+=("$p"); break; }; done
			done
		}
		rc=0 note=
		(($# > 1)) && note=1
		targets=()
		for a; do
			if [[ $a == '*' ]]; then note=1; jall; for j in "${JIDS[@]}"; do [[ $j != *.* ]] && targets+=("$j"); done; continue; fi
			if [[ $a =~ ^[0-9]+$ ]] && ((10#$a)); then jgetid $((10#$a)) && { targets+=("$JN"); continue; }
			elif jget "$a"; then targets+=("$a"); continue; fi
			[[ $verbose -ge 0 ]] && warn "\"$a\" not found"
			rc=1
		done
		t=10; [[ -f $S/stop_timeout ]] && read -r t <"$S/stop_timeout"
		for j in "${targets[@]}"; do
			jget "$j" || continue
			own=$JP tree=("$JP") names=("$j")
			for d in "$S"/jails/"$j".*/; do [[ -d $d ]] && { n=${d%/}; n=${n##*/}; jget "$n" && { tree+=("$JP"); names+=("$n"); }; }; done
			# command.c term_procs(): SIGTERM the jail's own processes, wait up to stop.timeout (default 10 s)
			if [[ $t != 0 && $t != 0.0 && $t != '' ]]; then
				procs_in "$own"
				if ((${#PIDS[@]})); then kill -TERM "${PIDS[@]}" 2>/dev/null; stopwait "$t"; fi
			fi
			# jail_remove(2): SIGKILL whatever is left in the jail and its children
			procs_in "${tree[@]}"
			if ((${#PIDS[@]})); then kill -KILL "${PIDS[@]}" 2>/dev/null; stopwait 5; fi
			lock
			procs_in "${tree[@]}"; ((${#PIDS[@]})) && kill -KILL "${PIDS[@]}" 2>/dev/null   # a jexec that raced us
			for n in "${names[@]}"; do
				jget "$n" || continue
				/bin/rm -rf -- "$S/jails/$n" "$S/jids/$JID"
				# vnet interfaces go back to the host when their vnet is destroyed
				if [[ -f $S/ifaces ]]; then
					out=; while read -r i w; do [[ $w == "$JID" ]] && w=0; out+="$i $w"$'\n'; done <"$S/ifaces"; printf '%s' "$out" >"$S/ifaces"
				fi
			done
			unlock
			# rctl rules outlive the jail (they name it), its cgroups (the simulator's enforcement) do not
			if [[ -s $S/cgroups ]]; then for n in "${names[@]}"; do cg_drop "$n"; done; fi
			[[ -n $note && $verbose -ge 0 ]] && printf '%s: removed\n' "$j"
		done
		exit $rc
	fi

	#------------------------------------------------------------ jail -c
	set -- "${extra[@]}" "$@"
	(($# == 0)) && jusage
	declare -A V; ORD=() IP4=() IP6=()
	bad() { warn "$*"; exit 1; }
	isbool() {
		case $1 in
		persist | ip4.saddrsel | ip6.saddrsel | allow.dying) return 0 ;;
		allow.set_hostname | allow.sysvipc | allow.raw_sockets | allow.chflags | allow.mount | allow.quotas | allow.socket_af | \
			allow.mlock | allow.reserved_ports | allow.read_msgbuf | allow.unprivileged_proc_debug | allow.suser | allow.nfsd | \
			allow.extattr | allow.adjtime | allow.settime | allow.routing | allow.mount.devfs | allow.mount.fdescfs | \
			allow.mount.fusefs | allow.mount.nullfs | allow.mount.procfs | allow.mount.linprocfs | allow.mount.linsysfs | \
			allow.mount.tmpfs | allow.mount.zfs) return 0 ;;
		esac
		return 1
	}
	for a; do
		[[ $a == command || $a == command=* ]] && unsup "command= is not supported (no commands are run)"
		if [[ $a == *=* ]]; then n=${a%%=*} v=${a#*=} hv=1; else n=$a v= hv=; fi
		# "noX" is the negation of boolean X (libjail nononame())
		if ! isbool "$n" && [[ $n =~ ^(.*\.)?no([^.]+)$ ]] && isbool "${BASH_REMATCH[1]}${BASH_REMATCH[2]}"; then
			n=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
			if [[ -z $hv ]]; then v=false hv=1
			else shopt -s nocasematch; case $v in true) v=false ;; false) v=true ;; *) [[ $v =~ ^-?[0-9]+$ ]] && { ((v)) && v=false || v=true; } ;; esac; shopt -u nocasematch; fi
		fi
		case $n in
		ip4.addr | ip6.addr)
			splitv , "$v"
			for x in "${SPL[@]}"; do
				x=${x#*|}; x=${x%%/*}; x=${x%% *}   # config.c strips "iface|", "/mask" and options
				if [[ $n == ip4.addr ]]; then
					[[ $x =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] && ((BASH_REMATCH[1] < 256 && BASH_REMATCH[2] < 256 && BASH_REMATCH[3] < 256 && BASH_REMATCH[4] < 256)) || bad "ip4.addr: not an IPv4 address: $x"
					[[ $x == 0.0.0.0 || $x == 255.255.255.255 ]] && bad "jail_set: Invalid argument"
					[[ " ${IP4[*]} " == *" $x "* ]] && bad "jail_set: Invalid argument"
					IP4+=("$x")
				else
					[[ $x =~ ^[0-9a-fA-F:.]+$ && $x == *:*:* || $x == ::* ]] || bad "ip6.addr: not an IPv6 address: $x"
					[[ $x == :: ]] && bad "jail_set: Invalid argument"
					IP6+=("$x")
				fi
			done
			[[ -n ${V[$n]+x} ]] || ORD+=("$n"); V[$n]=; continue ;;
		esac
		if isbool "$n"; then
			if [[ -z $hv ]]; then v=true
			else shopt -s nocasematch
				case $v in true) v=true ;; false) v=false ;; *) [[ $v =~ ^-?[0-9]+$ ]] || { shopt -u nocasematch; bad "$n: unknown boolean value \"$v\""; }; ((v)) && v=true || v=false ;; esac
				shopt -u nocasematch
			fi
		else
			case $n in
			host | ip4 | ip6 | vnet | sysvmsg | sysvsem | sysvshm)
				shopt -s nocasematch
				case $v in '') v=new ;; disable | 0) v=disable ;; new | 1) v=new ;; inherit | 2) v=inherit ;; *) shopt -u nocasematch; bad "$n: unknown jailsys value \"$v\"" ;; esac
				shopt -u nocasematch
				[[ ($n == host || $n == vnet) && $v == disable ]] && bad "jail_set: Invalid argument" ;;
			jid | enforce_statfs | children.max | devfs_ruleset | securelevel | osreldate | host.hostid | stop.timeout)
				[[ $v =~ ^[[:space:]]*[-+]?[0-9]+$ ]] || bad "$n: non-integer value \"$v\""; v=$((10#${v//[[:space:]+]/})) ;;
			name | path | host.hostname | host.domainname | host.hostuuid | osrelease) ;;
			dying | parent | cpuset.id | children.cur) bad "unknown parameter: $n" ;;
			exec.* | mount.* | depend | interface | ip_hostname | vnet.interface | exec) unsup "parameter not supported: $n" ;;
			*) bad "unknown parameter: $n" ;;
			esac
		fi
		[[ -n ${V[$n]+x} ]] || ORD+=("$n")
		V[$n]=$v
	done
	((${#IP4[@]})) && V[ip4.addr]=$(IFS=,; echo "${IP4[*]}")
	((${#IP6[@]})) && V[ip6.addr]=$(IFS=,; echo "${IP6[*]}")
	# kernel checks (sys/kern/kern_jail.c kern_jail_set()). Any host.* parameter sets PR_HOST, so it wins over
	# host=inherit (no error); likewise ip4.addr/ip6.addr make ip4/ip6 "new".
	[[ -n ${V[host.hostname]+x}${V[host.domainname]+x}${V[host.hostuuid]+x}${V[host.hostid]+x} && ${V[host]} == inherit ]] && V[host]=new
	[[ -n ${V[ip4.addr]+x} && -n ${V[ip4]+x} ]] && V[ip4]=new
	[[ -n ${V[ip6.addr]+x} && -n ${V[ip6]+x} ]] && V[ip6]=new
	[[ ${V[persist]} == true ]] || bad "new jail must persist or attach"
	[[ ${V[vnet]} == new && (-n ${V[ip4.addr]+x} || -n ${V[ip6.addr]+x} || ${V[ip4]} == new || ${V[ip6]} == new) ]] && bad "vnet jails cannot have IP address restrictions"
	[[ -n ${V[enforce_statfs]} ]] && ((V[enforce_statfs] < 0 || V[enforce_statfs] > 2)) && bad "jail_set: Invalid argument"
	[[ -n ${V[devfs_ruleset]} ]] && ((V[devfs_ruleset] < 0 || V[devfs_ruleset] > 65535)) && bad "jail_set: Invalid argument"
	[[ -n ${V[securelevel]} ]] && ((V[securelevel] < -1)) && bad "jail_set: Operation not permitted"
	[[ -n ${V[jid]} ]] && ((V[jid] < 0)) && bad "negative jid"
	path=${V[path]-}
	[[ -z $path || $path == / ]] && unsup "a jail without its own path (path=/) is not supported: its processes could not be told apart"
	# jail.c create_jail(): stat the path for a better message than jail_set gives
	[[ -e $path ]] || bad "path $path: No such file or directory"
	[[ -d $path ]] || bad "path $path: Not a directory"
	[[ $path == /* ]] || path=$PWD/$path
	name=${V[name]-}
	[[ $name == */* || $name == . || $name == .. || $name == *..* ]] && unsup "jail name not representable in the state directory: $name"
	lock
	# jail.c running_jid(): an existing jail with this jid or name means "already exists"
	if [[ -n ${V[jid]} ]]; then
		jgetid "${V[jid]}" && bad "\"${V[jid]}\" already exists"
	elif [[ -n $name ]] && { jget "$name" || { [[ $name =~ ^[1-9][0-9]*$ ]] && jgetid "$name"; }; }; then
		bad "\"$name\" already exists"
	fi
	jall; for j in "${JIDS[@]}"; do jget "$j" && [[ $JP -ef $path ]] && unsup "path $path is already the root of jail \"$j\" (jails are told apart by their root)"; done
	jid=${V[jid]:-0}
	if [[ -n $name ]]; then
		leaf=${name##*.}
		if [[ $name == *.* ]]; then jget "${name%.*}" || bad "jail \"${name%.*}\" not found"; fi
		# a numeric name is only allowed when it is the jid (the kernel then uses it as the jid)
		if [[ $leaf =~ ^[0-9]+$ ]]; then
			if ((jid == 0)) && [[ $leaf =~ ^[1-9][0-9]*$ ]]; then jid=$leaf; jgetid "$jid" && bad "jail $jid already exists"
			elif [[ $leaf != "$jid" ]]; then bad "name cannot be numeric (unless it is the jid)"; fi
		fi
	fi
	if ((jid == 0)); then
		last=0; [[ -f $S/lastjid ]] && read -r last <"$S/lastjid"
		jid=$((last + 1)); while [[ -e $S/jids/$jid ]]; do ((jid++)); done
		printf '%s\n' "$jid" >"$S/lastjid"
	fi
	[[ -n $name ]] || name=$jid
	/bin/mkdir -p -- "$S/jails/$name" "$S/jids" || exit 1
	printf '%s\n' "$jid" >"$S/jails/$name/jid"
	printf '%s\n' "$path" >"$S/jails/$name/path"
	pl=; for n in "${ORD[@]}"; do pl+="$n=${V[$n]}"$'\n'; done
	printf '%s' "$pl" >"$S/jails/$name/params"
	printf '%s\n' "$name" >"$S/jids/$jid"
	unlock
	[[ -n $iflag ]] && printf '%s\n' "$jid"
	if [[ -n $jfile ]]; then
		l="jid=$jid"; for n in "${ORD[@]}"; do [[ $n == jid ]] || l+=" $n=${V[$n]}"; done
		printf '%s\n' "$l" >"$jfile" || die "open $jfile: No such file or directory"
	fi
	exit 0
fi

##############################################################################
# mount(8) / umount(8): the table lives in state/mounts; nothing is mounted on the host.
# canon PATH -> REPLY: the path with symlinks resolved (realpath(3)), without forking
canon() {
	local p=$1 o=$PWD b=
	if [[ -d $p ]]; then cd -P -- "$p" 2>/dev/null || return 1; REPLY=$PWD
	else b=${p##*/}; [[ $p == */* ]] && { cd -P -- "${p%/*}/" 2>/dev/null || return 1; } ; REPLY=${PWD%/}/$b; fi
	cd -- "$o" 2>/dev/null
	return 0
}
# table: base entries, then state/mounts ("special<TAB>node<TAB>type<TAB>opts")
mtable() {
	MS=(/dev/vtbd0p2 devfs) MN=(/ /dev) MT=(ufs devfs) MO=(rw rw)
	[[ -f $S/mounts ]] || return 0
	local s n t o
	while IFS=$'\t' read -r s n t o; do MS+=("$s") MN+=("$n") MT+=("$t") MO+=("$o"); done <"$S/mounts"
}
if [[ $U == mount ]]; then
	fault mount
	musage() { printf '%s\n' "usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]" "       mount [-dfpruvw] special | node" "       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node" >&2; exit 1; }
	args=(); for a; do case $a in --libxo | --libxo=* | --libxo:*) unsup "mount --libxo is not supported" ;; esac; args+=("$a"); done
	t= o= p= ro=
	while getopts ':adF:fLlno:prt:uvw' c; do
		case $c in
		t) t=$OPTARG ;; o) o+=${o:+,}$OPTARG ;; p) p=1 ;; r) ro=ro ;; w) ro=rw ;;
		a) unsup "mount -a is not supported" ;; u) unsup "mount -u is not supported" ;; F) unsup "mount -F is not supported" ;;
		d | f | L | l | n | v) ;;
		:) badopt "$OPTARG" :; musage ;; *) badopt "$OPTARG"; musage ;;
		esac
	done
	shift $((OPTIND - 1))
	if (($# == 0)); then
		mtable
		for i in "${!MS[@]}"; do
			if [[ -n $p ]]; then
				pad() { local l=${#1}; if ((l < 8)); then REPLY=$'\t\t\t'; elif ((l < 16)); then REPLY=$'\t\t'; elif ((l < 24)); then REPLY=$'\t'; else REPLY=' '; fi; }
				pad "${MS[i]}"; a=$REPLY; pad "${MN[i]}"; b=$REPLY; ((${#MO[i]} < 8)) && c=$'\t' || c=' '
				[[ ${MT[i]} == ufs ]] && d='1 1' || d='0 0'
				printf '%s%s%s%s%s\t%s%s%s\n' "${MS[i]}" "$a" "${MN[i]}" "$b" "${MT[i]}" "${MO[i]}" "$c" "$d"
			else
				fl=${MT[i]}; [[ ${MT[i]} == @(ufs|nullfs|tmpfs) ]] && fl+=', local'
				splitv , "${MO[i]}"
				for x in "${SPL[@]}"; do case $x in rw) ;; ro) fl+=', read-only' ;; *) fl+=", $x" ;; esac; done
				printf '%s on %s (%s)\n' "${MS[i]}" "${MN[i]}" "$fl"
			fi
		done
		exit 0
	fi
	(($# == 1)) && die "$1: unknown special file or file system"
	(($# > 2)) && musage
	special=$1 node=$2
	[[ -n $t ]] || t=ufs
	# mount.c checkpath(): the mount point must exist (a directory, or a file for a nullfs file mount)
	[[ -e $node ]] || die "$node: No such file or directory"
	case $t in
	nullfs | devfs | tmpfs | fdescfs | linprocfs | linsysfs | mqueuefs | procfs) ;;
	ufs | zfs | nfs | msdosfs | cd9660 | unionfs | fusefs | smbfs | ext2fs | udf | p9fs) unsup "file system type $t is not supported" ;;
	*) die "$special: Operation not supported by device" ;;
	esac
	if [[ $t == nullfs ]]; then
		# mount_nullfs(8): the lower layer must exist; FreeBSD 14 allows a file over a file
		[[ -e $special ]] || { printf 'mount_nullfs: %s: No such file or directory\n' "$special" >&2; exit 64; }
		if [[ -d $special ]]; then [[ -d $node ]] || { printf 'mount_nullfs: %s: Not a directory\n' "$node" >&2; exit 1; }
		else [[ ! -d $node ]] || { printf 'mount_nullfs: %s: Is a directory\n' "$node" >&2; exit 1; }; fi
		canon "$special"; special=$REPLY
	else
		[[ -d $node ]] || die "$node: Not a directory"
	fi
	canon "$node"; node=$REPLY
	# normalise the options: rw/ro first (mount -p prints them that way), the rest in the given order
	splitv , "$o"; rest=
	for x in "${SPL[@]}"; do case $x in '') ;; ro | rdonly) ro=ro ;; rw) ro=${ro:-rw} ;; *) rest+=,$x ;; esac; done
	opts=${ro:-rw}$rest
	lock
	printf '%s\t%s\t%s\t%s\n' "$special" "$node" "$t" "$opts" >>"$S/mounts"
	unlock
	exit 0
fi
if [[ $U == umount ]]; then
	fault umount
	f=
	while getopts ':aAfF:h:nt:v' c; do
		case $c in f) f=1 ;; v | n) ;; a | A | F | h | t) unsup "umount -$c is not supported" ;;
		*) badopt "$OPTARG" "$c"; printf '%s\n' "usage: umount [-fNnv] special ... | node ... | fsid ..." "       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]" >&2; exit 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	(($# == 0)) && { printf '%s\n' "usage: umount [-fNnv] special ... | node ... | fsid ..." "       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]" >&2; exit 1; }
	rc=0
	for arg; do
		lock
		mtable
		canon "$arg" && name=$REPLY || name=$arg
		idx=
		for ((i = ${#MN[@]} - 1; i >= 2; i--)); do [[ ${MN[i]} == "$name" ]] && { idx=$i; break; }; done
		if [[ -z $idx ]]; then for ((i = ${#MS[@]} - 1; i >= 2; i--)); do [[ ${MS[i]} == "$name" ]] && { idx=$i; break; }; done; fi
		if [[ -z $idx ]]; then
			unlock
			if [[ ! -e $arg ]]; then warn "$arg: statfs: No such file or directory"; warn "$arg: unknown file system"
			elif [[ $name == / || $name == /dev ]]; then unsup "unmounting $name is not supported"
			else warn "$name: not a file system root directory"; fi
			rc=1; continue
		fi
		node=${MN[idx]} busy=
		if [[ -z $f ]]; then
			# EBUSY: a later mount below this one, or a live process with its root or cwd at or below it
			for ((i = idx + 1; i < ${#MN[@]}; i++)); do [[ ${MN[i]} == "$node"/* ]] && busy=1; done
			if [[ -z $busy ]]; then
				while IFS= read -r l; do l=${l% (deleted)}; [[ $l == "$node" || $l == "$node"/* ]] && { busy=1; break; }; done \
					< <(/usr/bin/find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 -printf '%l\n' 2>/dev/null)
			fi
		fi
		if [[ -n $busy ]]; then unlock; warn "unmount of $node failed: Device busy"; rc=1; continue; fi
		out=; n=0
		for ((i = 2; i < ${#MN[@]}; i++)); do ((i == idx)) || out+="${MS[i]}"$'\t'"${MN[i]}"$'\t'"${MT[i]}"$'\t'"${MO[i]}"$'\n'; done
		printf '%s' "$out" >"$S/mounts.new" && /bin/mv -f -- "$S/mounts.new" "$S/mounts"
		unlock
	done
	exit $rc
fi

##############################################################################
# ifconfig(8): interfaces in state/ifaces ("name jid"; jid 0 = the host). vnet moves, epair create/destroy.
if [[ $U == ifconfig ]]; then
	fault ifconfig
	declare -A IFJ; IFO=()
	loadif() { IFJ=(); IFO=(); local i j; [[ -f $S/ifaces ]] || return 0; while read -r i j; do [[ -n $i ]] && { IFJ[$i]=${j:-0}; IFO+=("$i"); }; done <"$S/ifaces"; }
	saveif() { local i out=; for i in "${IFO[@]}"; do [[ -n ${IFJ[$i]+x} ]] && out+="$i ${IFJ[$i]}"$'\n'; done; printf '%s' "$out" >"$S/ifaces"; }
	showif() { printf '%s: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n' "$1"; }
	jname= 
	if [[ $1 == -j ]]; then jname=$2; shift 2; jresolve "$jname" || die "$JERR"; fi
	where=${JID:-0}; [[ -z $jname ]] && where=0
	if (($# == 0)) || [[ $1 == -a ]]; then loadif; for i in "${IFO[@]}"; do [[ ${IFJ[$i]} == "$where" ]] && showif "$i"; done; exit 0; fi
	if [[ $1 == -l ]]; then loadif; l=; for i in "${IFO[@]}"; do [[ ${IFJ[$i]} == "$where" ]] && l+=${l:+ }$i; done; printf '%s\n' "$l"; exit 0; fi
	[[ $1 == -* ]] && unsup "ifconfig $1 is not supported"
	ifn=$1; shift
	lock; loadif
	if [[ $ifn =~ ^epair([0-9]*)$ && $1 == create ]]; then
		((where == 0)) || { unlock; unsup "creating interfaces inside a jail is not supported"; }
		u=${BASH_REMATCH[1]}
		if [[ -z $u ]]; then u=0; while [[ -n ${IFJ[epair${u}a]+x} ]]; do ((u++)); done
		elif [[ -n ${IFJ[epair${u}a]+x} ]]; then unlock; die "SIOCIFCREATE2 (epair$u): File exists"; fi
		IFJ[epair${u}a]=0 IFJ[epair${u}b]=0; IFO+=(epair${u}a epair${u}b); saveif; unlock
		printf 'epair%sa\n' "$u"; exit 0
	fi
	# ifconfig.c lets "-vnet jail" name an interface that only exists inside that jail
	[[ $1 == -vnet || ( -n ${IFJ[$ifn]+x} && ${IFJ[$ifn]} == "$where" ) ]] || { unlock; die "interface $ifn does not exist"; }
	(($# == 0)) && { unlock; showif "$ifn"; exit 0; }
	while (($#)); do
		case $1 in
		vnet | -vnet)
			(($# >= 2)) || { unlock; die "missing argument for $1"; }
			jresolve "$2" || { unlock; die "$JERR"; }
			if [[ $1 == vnet ]]; then
				jget "$JN"; P=; while IFS= read -r l; do [[ $l == vnet=new ]] && P=1; done <"$S/jails/$JN/params"
				[[ -n $P ]] || { unlock; die "SIOCSIFVNET: File exists"; }
				IFJ[$ifn]=$JID
			else
				# -vnet: reclaim from the jail (the interface is looked up inside that jail)
				[[ -n ${IFJ[$ifn]+x} && ${IFJ[$ifn]} == "$JID" ]] || { unlock; die "SIOCSIFRVNET: Device not configured"; }
				IFJ[$ifn]=0
			fi
			shift 2 ;;
		destroy)
			if [[ $ifn =~ ^(epair[0-9]+)[ab]$ ]]; then unset "IFJ[${BASH_REMATCH[1]}a]" "IFJ[${BASH_REMATCH[1]}b]"
			else unlock; die "SIOCIFDESTROY: Invalid argument"; fi
			shift ;;
		up | down | -arp | arp | promisc | -promisc) shift ;;
		name | description | mtu | inet | inet6) unlock; unsup "ifconfig $1 is not supported" ;;
		*) unlock; die "$1: bad value" ;;
		esac
	done
	saveif; unlock
	exit 0
fi

##############################################################################
# limits(1): limits [-C class|-P pid|-U user] [-eaSHBE] [-bcdfklmnostuvpwy [val]] [[name=val ...] cmd]
# Sets the limits on its own pid with prlimit(1), then execs the command (no fork: the command keeps the pid),
# with the environment exactly as it came (plus name=val). FreeBSD-only resources go to state/limits-unapplied.
# jexec runs it for an in-jail /usr/bin/limits as `limits --sim-jail ROOT DIR UID -- args`.
if [[ $U == limits ]]; then
	fault limits
	lusage() { printf '%s\n' 'usage: limits [-C class|-P pid|-U user] [-eaSHBE] [-bcdfklmnostuvpwy [val]] [[name=val ...] cmd]' >&2; exit 1; }
	jroot= jwd= juid= injail=
	if [[ $1 == --sim-jail ]]; then injail=1 jroot=$2 jwd=$3 juid=$4; shift 5; fi
	# RLIMIT_* order (sys/resource.h): option letter, name, kind ((t)ime (s)ize (n)umber), prlimit(1) option, divisor
	# and suffix for display; "" = not a Linux limit.
	RL=tfdscmlunbvpwkoy
	RN=(cputime filesize datasize stacksize coredumpsize memoryuse memorylocked maxproc openfiles sbsize vmemoryuse
		pseudoterminals swapuse kqueues umtxp pipebuf)
	RK=(t s s s s s s n n s s n s n n s)
	RP=(cpu fsize data stack core rss memlock nproc nofile '' as '' '' '' '' '')
	BF=tfdscmlun-v-----   # bash ulimit options (units: 1024 bytes for f d s c m l v)
	INF=infinity
	# strtoq(3) base 0 -> QN, the rest -> QR; 1 when there is no number (or it would overflow)
	qnum() {
		[[ $1 =~ ^[[:space:]]*([-+]?)(0[xX][0-9a-fA-F]+|[1-9][0-9]*|0[0-7]*)(.*)$ ]] || return 1
		local d=${BASH_REMATCH[2]} sg=${BASH_REMATCH[1]}
		QR=${BASH_REMATCH[3]}
		case $d in
		0[xX]*) ((${#d} <= 17)) || return 1; QN=$((16#${d:2})) ;;
		0*) ((${#d} <= 21)) || return 1; QN=$((8#$d)) ;;
		*) ((${#d} <= 18)) || return 1; QN=$((10#$d)) ;;
		esac
		[[ $sg == - ]] && QN=$((-QN))
		return 0
	}
	# resource_num(): "inf[inity]", "unlimit[ed]", or terms number[unit] summed -> REPLY; 1 when invalid
	rnum() { # $1 index $2 string
		local s=$2 t m tot=0 u
		shopt -s nocasematch
		case $s in inf | infinity | unlimit | unlimited) shopt -u nocasematch; REPLY=$INF; return 0 ;; esac
		shopt -u nocasematch
		if [[ ${RK[$1]} == n ]]; then
			REPLY=0; [[ -z $s ]] && return 0
			qnum "$s" && [[ -z $QR ]] || return 1
			REPLY=$QN; return 0
		fi
		while [[ -n $s ]]; do
			qnum "$s" || break
			t=$QN s=$QR u=${QR:0:1} s=${QR:1}
			if [[ ${RK[$1]} == t ]]; then
				case $u in [mM]) m=60 ;; [hH]) m=3600 ;; [dD]) m=86400 ;; [wW]) m=604800 ;; [yY]) m=31536000 ;; *) m=1 ;; esac
			else
				case $u in [bB]) m=512 ;; [kK]) m=1024 ;; [mM]) m=1048576 ;; [gG]) m=1073741824 ;; [tT]) m=1099511627776 ;; *) m=1 ;; esac
			fi
			tot=$((tot + t * m))
		done
		[[ -z $s ]] || return 1
		REPLY=$tot
	}
	# getopt(3) with ":EeC:U:BSHP:ab:c:d:f:l:m:n:s:t:u:v:p:w:k:o:y:"; a resource's value is optional: a missing
	# one, or a next argument starting with '-', only selects the resource for display
	T=0 num=0 todo=0 doeval= doall= cls= Eflag= WL=() SL=() CH=()
	for ((r = 0; r < 16; r++)); do WL[r]=0; done
	A=("$@") n=$# i=0
	while ((i < n)); do
		a=${A[i]}
		[[ $a == -- ]] && { ((i++)); break; }
		[[ $a == -?* ]] || break
		for ((j = 1; j < ${#a}; j++)); do
			o=${a:j:1}
			case $o in
			a) doall=1 ;; E) Eflag=1 ;; e) doeval=1 ;; H) T=2 ;; S) T=1 ;; B) T=3 ;;
			C | U | P)
				if ((j + 1 < ${#a})); then v=${a:j+1}; elif ((i + 1 < n)); then ((i++)); v=${A[i]}; else lusage; fi
				j=${#a}
				case $o in C) cls=$v ;; U) unsup "limits -U is not supported" ;; P) unsup "limits -P is not supported" ;; esac ;;
			[$RL])
				r=${RL%%"$o"*}; r=${#r} has=
				if ((j + 1 < ${#a})); then v=${a:j+1}; [[ $v == -* ]] || has=1
				elif ((i + 1 < n)) && [[ ${A[i + 1]} != -* ]]; then ((i++)); v=${A[i]}; has=1; fi
				j=${#a}
				((T == 0)) && T=3
				if [[ -n $has ]]; then
					todo=1 WL[r]=$T
					rnum "$r" "$v" || { warn "invalid value -$o \`$v'"; lusage; }
					SL[r]=$REPLY
				else todo=2 WL[r]=4; fi
				((num++)) ;;
			*) lusage ;;
			esac
		done
		((i++))
	done
	R=("${A[@]:i}")
	# the current limits (/proc/$$/limits: what the caller's process had); FreeBSD-only ones read as infinity
	CS=() HS=()
	for ((r = 0; r < 16; r++)); do CS[r]=$INF HS[r]=$INF; done
	declare -A LX=(['Max cpu time']=0 ['Max file size']=1 ['Max data size']=2 ['Max stack size']=3 ['Max core file size']=4
		['Max resident set']=5 ['Max locked memory']=6 ['Max processes']=7 ['Max open files']=8 ['Max address space']=10)
	while IFS= read -r l; do
		k=${l:0:26}; k=${k%"${k##*[! ]}"}
		[[ -n ${LX[$k]+x} ]] || continue
		v=${l:26:21}; v=${v%% *}; w=${l:47:21}; w=${w%% *}
		[[ $v == unlimited ]] && v=$INF
		[[ $w == unlimited ]] && w=$INF
		CS[LX[$k]]=$v HS[LX[$k]]=$w
	done </proc/$$/limits
	OS=("${CS[@]}") OH=("${HS[@]}")
	# -C: login_getclassbyname(3) (the jail's login.conf inside a jail), then name, name-cur and name-max
	lcn=
	if [[ -n $cls ]]; then
		if [[ -n $injail ]]; then db=$jroot/etc/login.conf; else hostetc login.conf; db=$REPLY; fi
		declare -A CAP
		if lc_load "$db" "$cls"; then lcn=$cls
		else
			CAP=(); lc_load "$db" default && lcn=default
			printf "login class '%s' non-existent, using %s\n" "$cls" "${lcn:-current settings}" >&2
		fi
		if [[ -n $lcn ]]; then
			for ((r = 0; r < 16; r++)); do
				for x in cur max; do
					v=; [[ -n ${CAP[${RN[r]}]+x} ]] && v=${CAP[${RN[r]}]}
					[[ -n ${CAP[${RN[r]}-$x]+x} ]] && v=${CAP[${RN[r]}-$x]}
					[[ -n $v ]] && rnum "$r" "$v" || continue   # login_getcap*(): a bad value keeps the default
					if [[ $x == cur ]]; then CS[r]=$REPLY; else HS[r]=$REPLY; fi
					CH[r]=1
				done
			done
		fi
	fi
	gt() { [[ $1 != "$2" && $2 != "$INF" && ($1 == "$INF" || $1 -gt $2) ]]; }   # $1 > $2, infinity the largest
	root=; if [[ -n $injail ]]; then [[ -z $juid || $juid == 0 ]] && root=1; else ((EUID == 0)) && root=1; fi
	# as root, a hard limit below the soft one is raised (or the soft one lowered), as limits.c does
	if ((${#R[@]})) || [[ -n $doeval ]] && [[ -n $root ]]; then
		for ((r = 0; r < 16; r++)); do
			[[ ${HS[r]} == "$INF" ]] && continue
			if [[ ${CS[r]} == "$INF" ]]; then HS[r]=$INF WL[r]=$((WL[r] | 2))
			elif gt "${CS[r]}" "${HS[r]}"; then
				if ((WL[r] == 1)); then HS[r]=${CS[r]} WL[r]=3; elif ((WL[r] == 2)); then CS[r]=${HS[r]} WL[r]=3; fi
			fi
		done
	fi
	if ((num)) && ((todo == 1)); then
		for ((r = 0; r < 16; r++)); do
			((WL[r] & 2)) && HS[r]=${SL[r]} CH[r]=1
			((WL[r] & 1)) && CS[r]=${SL[r]} CH[r]=1
		done
	fi
	if ((${#R[@]})); then
		[[ -n $doeval ]] && { warn "-e cannot be used with \`cmd' option"; lusage; }
		ENV=()
		if [[ -z $Eflag ]]; then
			mapfile -d '' -t ENV </proc/$$/environ
			for i in "${!ENV[@]}"; do [[ ${ENV[i]} == ?*=* ]] || unset 'ENV[i]'; done
			ENV=("${ENV[@]}")
		fi
		while ((${#R[@]})) && [[ ${R[0]} == *=* ]]; do
			[[ ${R[0]} == =* ]] && die "setenv ${R[1]-}: Invalid argument"
			setenv "${R[0]%%=*}" "${R[0]#*=}"; R=("${R[@]:1}")
		done
		# setrlimit(2) in resource order, stopping at the first failure
		PL=() nr= capres=
		for ((r = 0; r < 16; r++)); do
			((doall || num == 0 || WL[r] != 0)) || continue
			s=${CS[r]} h=${HS[r]}
			if [[ -z ${RP[r]} ]]; then
				[[ -n ${CH[r]} ]] && printf '%s %s %s %s\n' $$ "${RN[r]}" "$s" "$h" >>"$S/limits-unapplied"
				continue
			fi
			[[ $s == "${OS[r]}" && $h == "${OH[r]}" ]] && continue
			# kern_proc_setrlimit(): going above the old hard limit needs privilege; a soft limit above the hard one
			# is lowered to it; openfiles is capped at kern.maxfilesperproc (here Linux's fs.nr_open)
			[[ -z $root ]] && { gt "$s" "${OH[r]}" || gt "$h" "${OH[r]}"; } && die "setrlimit ${RN[r]}: Operation not permitted"
			gt "$s" "$h" && s=$h
			if [[ ${RP[r]} == nofile ]]; then
				[[ -n $nr ]] || read -r nr </proc/sys/fs/nr_open
				gt "$s" "$nr" && s=$nr
				gt "$h" "$nr" && h=$nr
			fi
			# root without CAP_SYS_RESOURCE (a container) cannot raise a hard limit on Linux: keep the old one
			# and record what FreeBSD's root would have got
			if gt "$h" "${OH[r]}"; then
				if [[ -z $capres ]]; then capres=n; while read -r k v; do [[ $k == CapEff: ]] && { ((16#$v >> 24 & 1)) && capres=y; break; }; done </proc/$$/status; fi
				if [[ $capres == n ]]; then
					printf '%s %s %s %s\n' $$ "${RN[r]}" "$s" "$h" >>"$S/limits-unapplied"
					h=${OH[r]}; gt "$s" "$h" && s=$h
				fi
			fi
			sfirst=; gt "${OS[r]}" "$h" && sfirst=1   # lowering the hard limit under the old soft one: soft first
			[[ $s == "$INF" ]] && s=unlimited
			[[ $h == "$INF" ]] && h=unlimited
			# bash's ulimit sets our own limits without a fork when the values fit its units; else prlimit(1)
			f=${BF:r:1} u=1; [[ $f == [fdscmlv] ]] && u=1024
			if [[ ($s == unlimited || $((s % u)) == 0) && ($h == unlimited || $((h % u)) == 0) ]]; then
				sv=$s hv=$h; [[ $s == unlimited ]] || sv=$((s / u)); [[ $h == unlimited ]] || hv=$((h / u))
				if [[ $sv == "$hv" ]]; then ulimit -SH -"$f" "$sv"
				elif [[ -n $sfirst ]]; then ulimit -S -"$f" "$sv" && ulimit -H -"$f" "$hv"
				else ulimit -H -"$f" "$hv" && ulimit -S -"$f" "$sv"; fi 2>/dev/null || die "setrlimit ${RN[r]}: Operation not permitted"
			else PL+=("--${RP[r]}=$s:$h"); fi
		done
		((${#PL[@]})) && { /usr/bin/prlimit --pid $$ "${PL[@]}" || die "setrlimit: Operation not permitted"; }
		((${#R[@]})) || lusage
		# execvp(3): PATH from the environment being passed (as setenv(3) left it), else _PATH_DEFPATH
		c=${R[0]} found=
		if [[ -n $injail ]]; then base=$jroot cwd=$jwd; else base= cwd=$PWD; fi
		if [[ $c == */* ]]; then [[ $c == /* ]] || c=$cwd/$c; [[ -e $base$c ]] && found=1
		else
			getenv PATH && sp=$REPLY || sp=/usr/bin:/bin
			splitv : "$sp"
			for d in "${SPL[@]}"; do [[ $d == /* ]] || d=$cwd/${d:-.}; [[ -f $base$d/$c ]] && { found=1; break; }; done
		fi
		[[ -n $found ]] || die "${R[0]}: No such file or directory"
		if [[ -n $injail ]]; then
			inner=(/usr/bin/unshare -R "$jroot" -w "$jwd"); [[ -n $juid ]] && inner+=(-S "$juid")
			exec /usr/bin/env -i -- "${ENV[@]}" "${inner[@]}" -- "${R[@]}"
		fi
		exec /usr/bin/env -i -- "${ENV[@]}" "${R[@]}"
	fi
	# display (-e: as sh(1) ulimit commands): soft limits unless -H/-B
	((T == 0)) && T=1
	DIV=(1 1024 1024 1024 1024 1024 1024 1 1 1 1024 1 1024 1 1 1024)
	SDIV=(1 512 1024 1024 512 1024 1024 1 1 1 1024 1 1024 1 1 1024)
	SFX=(' secs' ' kB' ' kB' ' kB' ' kB' ' kB' ' kB' '' '' ' bytes' ' kB' '' ' kB' '' '' ' kB')
	DN=(cputime filesize datasize stacksize coredumpsize memoryuse memorylocked maxprocesses openfiles sbsize vmemoryuse
		pseudo-terminals swapuse kqueues umtxp pipebuf)
	plim() { # value which
		local v=$1 d
		if [[ -n $doeval ]]; then
			d=${SDIV[r]}; [[ $v == "$INF" ]] && v=unlimited || v=$(((v + d / 2) / d))
			printf 'ulimit%s -%s %s;\n' "$2" "${RL:r:1}" "$v"
		else
			d=${DIV[r]}; [[ $v == "$INF" ]] || v=$(((v + d / 2) / d))
			printf '  %s%-4s%*s%8s%s\n' "${DN[r]}" "$2" $((17 - ${#DN[r]})) '' "$v" "${SFX[r]}"
		fi
	}
	if [[ -z $doeval ]]; then if [[ -n $lcn ]]; then printf 'Resource limits for class %s:\n' "$lcn"; else printf 'Resource limits (current):\n'; fi; fi
	for ((r = 0; r < 16; r++)); do
		((doall || num == 0 || WL[r] != 0)) || continue
		((WL[r] == 0)) && WL[r]=$T
		if [[ ${CS[r]} == "${HS[r]}" ]]; then plim "${HS[r]}" ''
		else
			if [[ -n $doeval ]]; then hw=' -H' sw=' -S'; else hw=-max sw=-cur; fi
			((WL[r] & 2)) && plim "${HS[r]}" "$hw"
			((WL[r] & 1)) && plim "${CS[r]}" "$sw"
		fi
	done
	exit 0
fi

##############################################################################
# rctl(8): rctl [-h] [-n] [-a rule ... | -l filter ... | -r filter ... | -u filter ... | filter ...]
# The kernel side (sys/kern/kern_rctl.c) is emulated for jail subjects: rules live in state/rctl, one a line as rctl
# prints them (jail:NAME:resource:action=amount[/per]), in the kernel's listing order; they name the jail and so
# outlive it. The exit status is the number of rules that failed.
if [[ $U == rctl ]]; then
	fault rctl
	rusage() { printf '%s\n' "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]" >&2; exit 1; }
	fa= fh= fl= fr= fu=
	while getopts ':ahlnru' o; do
		case $o in a) fa=a ;; h) fh=1 ;; l) fl=l ;; n) ;; r) fr=r ;; u) fu=u ;; *) badopt "$OPTARG"; rusage ;; esac
	done
	shift $((OPTIND - 1))
	op=$fa$fl$fr$fu
	((${#op} > 1)) && die "at most one of -a, -l, -r, or -u may be specified"
	all=
	if (($# == 0)); then [[ -z $op ]] || rusage; all=1; set -- '::'; fi   # no filter: every rule
	op=${op:-s}
	case $op in a) fault rctl-a ;; r) fault rctl-r ;; esac
	# racct_types[] (kern_racct.c), in RACCT_* order: rctl -u prints them in this order
	RES=(cputime datasize stacksize coredumpsize memoryuse memorylocked maxproc openfiles vmemoryuse pseudoterminals
		swapuse nthr msgqqueued msgqsize nmsgq nsem nsemop nshm shmsize wallclock pcpu readbps writebps readiops writeiops)
	UNDENIABLE=' cputime wallclock readbps writebps readiops writeiops '   # RSS and %CPU are denied another way
	DECAYING=' pcpu readbps writebps readiops writeiops '
	SLOPPY=' pseudoterminals swapuse msgqqueued msgqsize nmsgq nsem nshm shmsize '
	MILLIONS=' cputime wallclock pcpu '
	ACTIONS=' sighup sigint sigquit sigill sigtrap sigabrt sigemt sigfpe sigkill sigbus sigsegv sigsys sigpipe sigalrm
		sigterm sigurg sigstop sigtstp sigchld sigttin sigttou sigio sigxcpu sigxfsz sigvtalrm sigprof sigwinch siginfo
		sigusr1 sigusr2 sigthr deny log devctl throttle '
	SUBJECTS=' process user loginclass jail '
	declare -A ERRS=([EINVAL]='Invalid argument' [ENAMETOOLONG]='File name too long' [ERANGE]='Result too large'
		[ESRCH]='No such process' [EOPNOTSUPP]='Operation not supported')
	IMAX=9223372036854775807
	# numeric string compare for non-negative decimals of any length: $1 > $2
	bigger() { ((${#1} != ${#2})) && { ((${#1} > ${#2})); return; }; [[ $1 > $2 ]]; }
	# expand_number(3) -> REPLY; 9223372036854775808 stands for any value above INT64_MAX (the kernel's ERANGE)
	expnum() {
		[[ $1 =~ ^(0[xX]([0-9a-fA-F]+)|[1-9][0-9]*|0([0-7]*))([bBkKmMgGtTpPeE]?)$ ]] || return 1
		local d=${BASH_REMATCH[1]} x=${BASH_REMATCH[2]} o=${BASH_REMATCH[3]} u=${BASH_REMATCH[4],,} s=0 v= big=
		case $u in k) s=10 ;; m) s=20 ;; g) s=30 ;; t) s=40 ;; p) s=50 ;; e) s=60 ;; esac
		if [[ $d == 0[xX]* ]]; then
			x=${x#"${x%%[!0]*}"}
			((${#x} > 16)) && return 1
			if ((${#x} == 16)) && [[ ${x:0:1} == [89a-fA-F] ]]; then big=1; else v=$((16#${x:-0})); fi
		elif [[ $d == 0* ]]; then
			o=${o#"${o%%[!0]*}"}
			if ((${#o} > 22)) || ((${#o} == 22)) && [[ ${o:0:1} != 1 ]]; then return 1; fi
			if ((${#o} == 22)); then big=1; else v=$((8#${o:-0})); fi
		else
			bigger "$d" 18446744073709551615 && return 1
			if bigger "$d" $IMAX; then big=1; else v=$((10#$d)); fi
		fi
		if [[ -n $big ]]; then ((s)) && return 1; REPLY=9223372036854775808; return 0; fi
		if ((s)); then
			((v > (1 << (64 - s)) - 1)) && return 1
			((v > (1 << (63 - s)) - 1)) && { REPLY=9223372036854775808; return 0; }
			v=$((v << s))
		fi
		REPLY=$v
	}
	# expand_rule() of rctl.c: subject aliases, amount expanded -> REPLY; 1 (after its warning) when malformed
	expand() {
		local r=$1 sub id rest res act amt per rem
		[[ $r == *:* ]] || { warn "malformed rule '$1': missing subject"; return 1; }
		sub=${r%%:*} r=${r#*:}
		if [[ $r == *:* ]]; then id=${r%%:*} rest=${r#*:}; else id=$r rest=; fi
		case ${sub,,} in u) sub=user ;; g) sub=group ;; p) sub=process ;; l | c | class) sub=loginclass ;; j) sub=jail ;; esac
		if [[ -n $id ]]; then case ${sub,,} in user | group | process | loginclass) unsup "only jail subjects are simulated: $1" ;; esac; fi
		REPLY=$sub:$id:$rest
		# expand_amount(): strsep ":" ":" ":" "=/" "/"
		[[ $rest == *:* ]] || return 0
		res=${rest%%:*} rem=${rest#*:}
		[[ $rem == *[=/]* ]] || return 0
		act=${rem%%[=/]*} rem=${rem:${#act}+1}
		amt=${rem%%/*} per=
		[[ $rem == */* ]] && per=/${rem#*/}
		[[ -n $amt ]] || return 0
		expnum "$amt" || { warn "malformed rule '$1': invalid numeric value '$amt'"; return 1; }
		REPLY=$sub:$id:$res:$act=$REPLY$per
	}
	# rctl_string_to_rule(): K_SUB K_ID K_RES K_ACT K_AMT K_PER ("" = undefined); KERR on failure
	kparse() {
		local rem=$1 live=1 t
		K_SUB= K_ID= K_RES= K_ACT= K_AMT= K_PER= KERR=EINVAL
		tok() { if [[ -z $live ]]; then T=; elif [[ $rem == *[$1]* ]]; then T=${rem%%[$1]*}; rem=${rem:${#T}+1}; else T=$rem rem= live=; fi; }
		tok :; t=${T,,}; if [[ -n $t ]]; then [[ $SUBJECTS == *" $t "* ]] || return 1; K_SUB=$t; fi
		tok :; if [[ -n $T ]]; then
			[[ -n $K_SUB ]] || return 1
			((${#T} >= 256)) && { KERR=ENAMETOOLONG; return 1; }   # prison_racct_find(): MAXHOSTNAMELEN
			K_ID=$T
		fi
		tok :; t=${T,,}; if [[ -n $t ]]; then [[ " ${RES[*]} " == *" $t "* ]] || return 1; K_RES=$t; fi
		tok =/; t=${T,,}; if [[ -n $t ]]; then [[ $ACTIONS == *" $t "* ]] || return 1; K_ACT=$t; fi
		tok /; if [[ -n $T ]]; then
			[[ $T =~ ^[0-9]+$ ]] || return 1
			bigger "$T" $IMAX && { KERR=ERANGE; return 1; }
			K_AMT=$((10#$T))
			[[ $MILLIONS == *" $K_RES "* ]] && ((K_AMT > IMAX / 1000000)) && { KERR=ERANGE; return 1; }
		fi
		t=; [[ -n $live ]] && t=${rem,,}
		if [[ -n $t ]]; then [[ $SUBJECTS == *" $t "* ]] || return 1; K_PER=$t; fi
		KERR=
	}
	# a stored rule -> RI RR RA RM RP (per defaults to the subject, jail)
	rsplit() { local r=${1#jail:}; RI=${r%%:*} r=${r#*:}; RR=${r%%:*} r=${r#*:}; RA=${r%%=*} r=${r#*=}; RM=${r%%/*} RP=jail; [[ $r == */* ]] && RP=${r#*/}; }
	# rctl_rule_matches() of a stored rule and the parsed filter
	kmatch() {
		[[ -z $K_SUB || $K_SUB == jail ]] || return 1
		rsplit "$1"
		[[ (-z $K_ID || $K_ID == "$RI") && (-z $K_RES || $K_RES == "$RR") && (-z $K_ACT || $K_ACT == "$RA") && (-z $K_AMT || $K_AMT == "$RM") && (-z $K_PER || $K_PER == "$RP") ]]
	}
	# the syscalls fail with ENOSYS without racct; rctl.c's enosys() explains and exits
	KOK=
	kcheck() {
		[[ -n $KOK ]] && return 0
		sysval kern.racct.enable || die "RACCT/RCTL support not present in kernel; see rctl(8) for details"
		[[ $REPLY == 0 ]] && die "RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable"
		KOK=1
	}
	RULES=()
	loadrules() { RULES=(); [[ -f $S/rctl ]] && mapfile -t RULES <"$S/rctl"; }
	saverules() { if ((${#RULES[@]})); then printf '%s\n' "${RULES[@]}"; fi >"$S/rctl.new" && /bin/mv -f -- "$S/rctl.new" "$S/rctl"; }
	# humanize_number(buf, 6, n, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE) -> REPLY
	hum() {
		local q=$1 rm=0 i=0 P=('' K M G T P E)
		[[ $q =~ ^[0-9]+$ ]] && ! bigger "$q" $IMAX || { REPLY=$1; return; }
		while (((q >= 10000 || (q == 9999 && rm >= 512)) && i < 6)); do rm=$((q % 1024)) q=$((q / 1024)); ((i++)); done
		if (((q == 9 && rm < 973 || q < 9) && i > 0)); then REPLY=$((q + (rm * 10 + 512) / 1024 / 10)).$(((rm * 10 + 512) / 1024 % 10))${P[i]}
		else REPLY=$((q + (rm + 512) / 1024))${P[i]}; fi
	}
	# racct of jail NAME (and its child jails), from their live processes -> USAGE assoc array
	declare -A USAGE
	jusage() {
		local n=$1 d p f k v rest st paths=()
		for k in "${RES[@]}"; do USAGE[$k]=0; done
		jget "$n" && paths+=("$JP")
		for d in "$S"/jails/"$n".*/; do [[ -d $d ]] && { f=${d%/}; jget "${f##*/}" && paths+=("$JP"); }; done
		((${#paths[@]})) || return 0
		local bt now; while read -r k v; do [[ $k == btime ]] && { bt=$v; break; }; done </proc/stat
		printf -v now '%(%s)T' -1
		shopt -s nullglob
		for d in /proc/[0-9]*; do
			for p in "${paths[@]}"; do
				[[ $d/root -ef $p ]] || continue
				IFS= read -r st 2>/dev/null <"$d/stat" || break
				set -f; F=(${st##*) }); set +f
				while read -r k v rest; do
					case $k in
					Threads:) ((USAGE[nthr] += v)) ;; VmRSS:) ((USAGE[memoryuse] += v * 1024)) ;; VmData:) ((USAGE[datasize] += v * 1024)) ;;
					VmStk:) ((USAGE[stacksize] += v * 1024)) ;; VmSize:) ((USAGE[vmemoryuse] += v * 1024)) ;;
					VmLck:) ((USAGE[memorylocked] += v * 1024)) ;; VmSwap:) ((USAGE[swapuse] += v * 1024)) ;;
					esac
				done <"$d/status"
				f=("$d"/fd/*)
				((USAGE[maxproc]++, USAGE[openfiles] += ${#f[@]}, USAGE[cputime] += (F[11] + F[12]) / 100))
				((USAGE[wallclock] += now - bt - F[19] / 100))
				break
			done
		done
		shopt -u nullglob
	}
	kfail() { warn "failed to $1 '$2': ${ERRS[$KERR]}"; ((rc++)); }
	# One lock, one load and one save for the whole command line: each rule is still applied (or refused) on its own,
	# as rctl(8)'s one syscall per rule, but a flock(1) and a mv(1) per rule made -a with ten rules cost ~40 ms.
	held= dirty=
	hold() { [[ -n $held ]] && return; lock; loadrules; held=1; }
	rc=0 changed=()
	for arg; do
		expand "$arg" || { ((rc++)); continue; }
		rule=$REPLY
		kcheck
		case $op in
		a)
			kparse "$rule" || { kfail "add rule" "$arg"; continue; }
			[[ -z $K_PER && -n $K_SUB ]] && K_PER=$K_SUB
			[[ -n $K_SUB && -n $K_ID && -n $K_RES && -n $K_ACT && -n $K_AMT && -n $K_PER ]] || { KERR=EINVAL; kfail "add rule" "$arg"; continue; }
			# rctl_rule_add(): rules that make no sense
			KERR=EOPNOTSUPP
			[[ $K_ACT == deny && $UNDENIABLE == *" $K_RES "* ]] && { kfail "add rule" "$arg"; continue; }
			[[ $K_ACT == throttle && ($DECAYING != *" $K_RES "* || $K_RES == pcpu) ]] && { kfail "add rule" "$arg"; continue; }
			[[ $K_PER == process && $SLOPPY == *" $K_RES "* ]] && { kfail "add rule" "$arg"; continue; }
			new=jail:$K_ID:$K_RES:$K_ACT=$K_AMT; [[ $K_PER != jail ]] && new+=/$K_PER
			hold
			# no duplicates; a deny rule replaces one differing only in amount. The newest rule of a jail comes
			# first (LIST_INSERT_HEAD), and a jail seen for the first time goes first (allprison_racct).
			out=() at=-1
			for l in "${RULES[@]}"; do
				rsplit "$l"
				if [[ $RI == "$K_ID" && $RR == "$K_RES" && $RA == "$K_ACT" && $RP == "$K_PER" && ($K_ACT == deny || $RM == "$K_AMT") ]]; then continue; fi
				[[ $RI == "$K_ID" && $at == -1 ]] && at=${#out[@]}
				out+=("$l")
			done
			((at < 0)) && at=0
			RULES=("${out[@]:0:at}" "$new" "${out[@]:at}")
			dirty=1 changed+=("$K_ID") ;;
		r)
			kparse "$rule" || { kfail "remove rule" "$arg"; continue; }
			hold
			out=() hit=
			for l in "${RULES[@]}"; do if kmatch "$l"; then hit=1 changed+=("$RI"); else out+=("$l"); fi; done
			if [[ -z $hit ]]; then KERR=ESRCH; kfail "remove rule" "$arg"; continue; fi
			RULES=("${out[@]}") dirty=1 ;;
		u)
			kparse "$rule" || { kfail "show resource consumption for" "$arg"; continue; }
			[[ $K_SUB == jail && -n $K_ID ]] || { KERR=EINVAL; kfail "show resource consumption for" "$arg"; continue; }
			jusage "$K_ID"
			for k in "${RES[@]}"; do v=${USAGE[$k]}; [[ -n $fh ]] && { hum "$v"; v=$REPLY; }; printf '%s=%s\n' "$k" "$v"; done ;;
		l)
			kparse "$rule" || { kfail "get limits for" "$arg"; continue; }
			KERR=EINVAL
			[[ -n $K_SUB ]] || { kfail "get limits for" "$arg"; continue; }
			[[ $K_SUB == process ]] || { KERR=EOPNOTSUPP; kfail "get limits for" "$arg"; continue; }
			kfail "get limits for" "$arg" ;;
		s)
			kparse "$rule" || { kfail "show rules for" "$arg"; continue; }
			loadrules
			for l in "${RULES[@]}"; do
				kmatch "$l" || continue
				if [[ -n $fh ]]; then hum "$RM"; l=${l%%=*}=$REPLY; [[ $RP != jail ]] && l+=/$RP; fi
				printf '%s\n' "$l"
			done ;;
		esac
	done
	[[ -n $dirty ]] && saverules
	[[ -n $held ]] && unlock
	# the simulator's enforcement: the changed jails' cgroups follow their rules (existing processes move in)
	if ((${#changed[@]})) && [[ -s $S/cgroups ]]; then
		declare -A seen
		for n in "${changed[@]}"; do
			[[ -n ${seen[$n]} ]] && continue; seen[$n]=1
			jget "$n" || continue
			cg_rules "$n"; pids=()
			if [[ -n $CPMAX$CMMAX ]]; then for d in /proc/[0-9]*; do [[ $d/root -ef $JP ]] && pids+=("${d#/proc/}"); done; fi
			cg_sync "$n" "${pids[@]}"
		done
	fi
	[[ -n $all ]] && exit 0   # rctl.c ignores the result of the listing without a filter
	exit $rc
fi

printf '%s: not simulated (sim.sh handles jail jls jexec ps mount umount sysctl ifconfig kldstat limits rctl)\n' "$U" >&2
exit 127
