#!/bin/bash
# corpus.sh: checks pm's unit parser against systemd 252 on the unit files
# of real Debian 12 packages.
#
# It downloads the packages below with `apt-get download` (nothing is
# installed), unpacks them with `dpkg-deb -x` into one tree, and for every
# unit file (and every drop-in whose unit is not in the tree, verified on a
# stub unit) runs `pmctl verify -q` and `systemd-analyze verify --root`.
# Missing executables, unknown dependencies and documentation are not
# systemd errors here; systemd "rejects" a unit when it cannot load it
# (bad-setting, a fatal parse error, "Refusing.").
#
# It reports every file where pm reports an error but systemd accepts it,
# or pm panics (those make the script fail), and the files systemd rejects
# but pm accepts (informational).
#
# Environment: CORPUS_DIR (work directory, reused between runs to keep the
# downloads; default a new temp dir), CORPUS_JOBS (parallel checks,
# default nproc), CORPUS_PACKAGES (to override the package list).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--check" ]; then
	# One unit file: "--check ROOT FILE OUTDIR". Writes OUTDIR/<n>.res:
	# line 1 "pm_status sd_status warnings path" (warnings: "W-" pm warns,
	# "-W" systemd warns, "WW" both, "--" neither), then the outputs.
	root=$2 f=$3 out=$4
	id=$(printf '%s' "$f" | md5sum | cut -c1-16)
	pm_out=$("$repo/bin/pmctl" verify -q "$f" 2>&1) && pm_rc=0 || pm_rc=$?
	# --root makes systemd find the executables and the units the file
	# refers to in the unpacked tree; --recursive-errors=no keeps the
	# verdict to this unit.
	sd_out=$(cd "$root" && SYSTEMD_LOG_COLOR=0 timeout 60 systemd-analyze verify \
		--root="$root" --man=no --generators=no --recursive-errors=no "$f" 2>&1) && sd_rc=0 || sd_rc=$?
	pm_status=ok
	if printf '%s\n' "$pm_out" | grep -q -e '^panic:' -e '^goroutine [0-9]'; then
		pm_status=panic
	elif [ "$pm_rc" -ne 0 ]; then
		pm_status=error
	fi
	# systemd's verdict: the unit could not be loaded. Missing commands,
	# dependencies and the like are not about the file's syntax.
	sd_status=ok
	if printf '%s\n' "$sd_out" | grep -v -e 'is not executable' -e 'not found' -e 'not loaded, socket cannot be started' |
		grep -q -i -e 'Refusing' -e 'fatal error' -e 'bad unit file setting' -e 'Failed to load configuration' \
			-e 'Invalid section header' -e 'failed to load properly' -e 'Bad message' -e 'Failed to prepare filename' \
			-e 'unit file is masked'; then
		sd_status=error
	fi
	# Warnings: pm's "FILE:LINE:COL: warning:" lines, systemd's
	# "FILE:LINE: message" lines (its syntax warnings).
	pm_warn=-
	printf '%s\n' "$pm_out" | grep -q ': warning: ' && pm_warn=W
	sd_warn=-
	printf '%s\n' "$sd_out" | grep -q -E '^/[^:]*:[0-9]+: ' && sd_warn=W
	{
		echo "$pm_status $sd_status $pm_warn$sd_warn $f"
		printf '%s\n' "$pm_out" | sed 's/^/  pm: /'
		printf '%s\n' "$sd_out" | sed 's/^/  systemd: /'
	} >"$out/$id.res"
	exit 0
fi

# Debian 12 packages that ship systemd units (those missing from the
# archive are skipped with a message).
default_packages="
openssh-server nginx-common apache2 postgresql-common mariadb-server redis-server
docker.io containerd cron rsyslog dbus dbus-system-bus-common dbus-user-session
avahi-daemon cups-daemon exim4-base postfix bind9 isc-dhcp-server
nfs-kernel-server nfs-common samba squid haproxy keepalived chrony ntpsec
smartmontools lvm2 mdadm apparmor auditd fail2ban prometheus-node-exporter
memcached rabbitmq-server mosquitto openvpn wireguard-tools tor
unattended-upgrades libvirt-daemon-system podman systemd systemd-container
systemd-resolved systemd-timesyncd systemd-homed systemd-boot udev udisks2 upower
polkitd network-manager modemmanager wpasupplicant bluez accountsservice
rtkit colord packagekit fwupd thermald irqbalance acpid e2fsprogs util-linux
man-db logrotate apt sysstat snmpd lighttpd dnsmasq unbound rpcbind nftables
firewalld ufw clamav-daemon clamav-freshclam dovecot-core opendkim php8.2-fpm
uwsgi varnish nagios-nrpe-server zabbix-agent munin-node collectd-core
minidlna transmission-daemon open-iscsi multipath-tools qemu-guest-agent
open-vm-tools rasdaemon quota tuned getty-run plymouth cloud-init
"
packages=${CORPUS_PACKAGES:-$default_packages}
jobs=${CORPUS_JOBS:-$(nproc)}
work=${CORPUS_DIR:-$(mktemp -d /tmp/pm-corpus-XXXXXX)}
mkdir -p "$work/debs" "$work/root" "$work/results"
# apt drops privileges to _apt for downloads, which must be able to write.
chmod 0777 "$work/debs"
rm -f "$work/results"/*.res

for tool in apt-get dpkg-deb systemd-analyze go; do
	command -v "$tool" >/dev/null || { echo "corpus: $tool is missing (run hack/install-deps.sh)" >&2; exit 1; }
done

echo "corpus: building pmctl" >&2
(cd "$repo" && go build -o bin/pmctl ./cmd/pmctl)

echo "corpus: downloading packages into $work/debs" >&2
got=0
for p in $packages; do
	if ! ls "$work/debs/${p}"_*.deb >/dev/null 2>&1; then
		(cd "$work/debs" && apt-get download -q "$p" >/dev/null 2>&1) || {
			echo "corpus: $p: not available, skipped" >&2
			continue
		}
	fi
	got=$((got + 1))
done

echo "corpus: unpacking $got packages" >&2
rm -rf "$work/root"
mkdir -p "$work/root"
for p in $packages; do
	for d in "$work/debs/${p}"_*.deb; do
		[ -e "$d" ] && dpkg-deb -x "$d" "$work/root"
	done
done
root=$work/root
# A few packages ship files only their owner may read.
chmod -R a+rX "$root" 2>/dev/null || true

unitdirs=""
for d in etc/systemd/system lib/systemd/system usr/lib/systemd/system; do
	[ -d "$root/$d" ] && unitdirs="$unitdirs $root/$d"
done
unit_re='\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)$'

# Unit files: the regular files of the unit directories (symlinks are
# aliases and masks of these).
# shellcheck disable=SC2086
find $unitdirs -maxdepth 1 -type f | grep -E "$unit_re" | sort >"$work/files"

# Drop-ins whose unit is not in the tree (drop-ins for other packages'
# units, or for instances of templates): verified on a stub unit of their
# own, in the tree's /run/systemd/system, a unit directory systemd-analyze
# --root searches. (Type-wide and prefix drop-ins apply to the units of the
# tree already, and get a stub too.)
stubs=$root/run/systemd/system
rm -rf "$stubs"
mkdir -p "$stubs"
# shellcheck disable=SC2086
find $unitdirs -mindepth 2 -maxdepth 2 -path '*.d/*.conf' | sort | while read -r conf; do
	d=$(basename "$(dirname "$conf")")
	unit=${d%.d}
	[ -e "$(dirname "$(dirname "$conf")")/$unit" ] && continue
	case $unit in
	*@.*) name=${unit%%@*}@corpus.${unit##*.} ;; # template: foo@.service.d
	*-.*) name=${unit%-.*}-corpus.${unit##*.} ;; # prefix: foo-.service.d
	*.*) name=$unit ;;
	*) name=corpus-stub.$unit ;; # type-wide: service.d
	esac
	case $name in *.service | *.socket | *.target | *.timer | *.path | *.mount | *.slice | *.scope) ;; *) continue ;; esac
	mkdir -p "$stubs/$name.d"
	cp "$conf" "$stubs/$name.d/"
	[ -e "$stubs/$name" ] || {
		echo "[Unit]"
		echo "Description=corpus stub for the drop-ins of $unit"
		case $name in
		*.service) printf '[Service]\nExecStart=/bin/true\n' ;;
		*.socket) printf '[Socket]\nListenStream=/run/corpus-stub.sock\n' ;;
		*.timer) printf '[Timer]\nOnActiveSec=1h\n' ;;
		*.path) printf '[Path]\nPathExists=/run/corpus-stub\n' ;;
		*.mount) printf '[Mount]\nWhat=tmpfs\nWhere=/corpus-stub\n' ;;
		esac
	} >"$stubs/$name"
	echo "$stubs/$name"
done | sort -u >>"$work/files"
chmod -R a+rX "$stubs"

total=$(wc -l <"$work/files")
echo "corpus: checking $total unit files with $jobs jobs" >&2
tr '\n' '\0' <"$work/files" | xargs -0 -P "$jobs" -I{} "$0" --check "$root" {} "$work/results"

report=$work/report.txt
cat "$work/results"/*.res >"$report"
count() { grep -c -E "^$1 " "$report" || true; }
pm_err=$(count '(error|panic) [a-z]+')
sd_err=$(count '[a-z]+ error')
panics=$(count 'panic [a-z]+')
pm_only=$(count 'error ok')
sd_only=$(count 'ok error')
pm_warn_only=$(count '[a-z]+ [a-z]+ W-')
sd_warn_only=$(count '[a-z]+ [a-z]+ -W')
echo
echo "== corpus summary"
echo "packages:        $got"
echo "files checked:   $total"
echo "pm errors:       $pm_err"
echo "systemd errors:  $sd_err"
echo "pm panics:       $panics"
echo "pm error, systemd accepts: $pm_only"
echo "systemd error, pm accepts: $sd_only (informational)"
echo "pm warns, systemd does not: $pm_warn_only (informational)"
echo "systemd warns, pm does not: $sd_warn_only (informational)"
echo "full report:     $report"

show() {
	awk -v want="$1" '
		/^[a-z]+ [a-z]+ [-W][-W] / { keep = ($0 ~ "^" want " "); if (keep) print "--", $4; next }
		keep && /^  pm: ./ { print }
		keep && /^  systemd: ./ && !/is not executable/ && !/not found\.$/ { print }
	' "$report"
}
if [ "$panics" -gt 0 ]; then
	echo
	echo "== pm panics"
	grep -E '^panic ' "$report"
fi
if [ "$pm_only" -gt 0 ]; then
	echo
	echo "== pm reports an error, systemd accepts the unit"
	show "error ok [-W][-W]"
fi
if [ "$sd_only" -gt 0 ]; then
	echo
	echo "== systemd rejects the unit, pm accepts it"
	show "ok error [-W][-W]"
fi
if [ "$pm_warn_only" -gt 0 ]; then
	echo
	echo "== pm warns, systemd does not"
	show "[a-z]+ [a-z]+ W-"
fi
if [ "$sd_warn_only" -gt 0 ]; then
	echo
	echo "== systemd warns, pm does not"
	show "[a-z]+ [a-z]+ -W"
fi
[ "$panics" -eq 0 ] && [ "$pm_only" -eq 0 ]
