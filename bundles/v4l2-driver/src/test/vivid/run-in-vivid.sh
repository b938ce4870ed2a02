#!/bin/bash
# Runs one host command inside a QEMU guest whose kernel has the vivid virtual V4L2 driver loaded, so that
# the V4L2 driver can be tested against the real kernel API on a machine without cameras (or without
# loadable modules at all).
#
# How: Debian's own kernel package (downloaded once with apt-get, cached outside the repository) boots under
# software emulation (TCG; a stock kernel hangs under KVM here) with a busybox initramfs. The init loads
# virtio/9p and the media modules, mounts the host's root file system read-only over 9p, mounts the job
# folder read-write at its host path, and chroots into the host root to run the command with the host's own
# Java. The command's output and exit code come back through the job folder; this script exits with that
# code (125 when the guest never reported one: boot failure or timeout).
#
# Usage: run-in-vivid.sh [-j JOB_DIR] [-t TIMEOUT_SECONDS] [-C WORK_DIR] [-o VIVID_OPTIONS] -- COMMAND [ARG...]
#   -j  job folder shared read-write with the guest (default: a new temporary folder, removed afterwards);
#       its path must not contain spaces. Files written there by the command are kept.
#   -t  host-side limit for the whole guest run (default 280 s)
#   -C  working directory of the command inside the guest (default: the current directory)
#   -o  vivid module options (default: one webcam-only device:
#       "n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0")
# Environment: OBSCURA_VIVID_CACHE (default ~/.cache/obscura-vivid), OBSCURA_VIVID_KERNEL (a Debian
# package name such as linux-image-6.1.0-56-amd64; default: the newest linux-image-6.1.0-*-amd64 apt knows).
#
# Needs (Debian): qemu-system-x86 busybox-static kmod (and apt with package lists for the first run).
# Runs as any user that can read the host root; no TTY needed.
set -euo pipefail

job=""
timeout_s=280
workdir=$(pwd)
vivid_options="n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0"
while getopts "j:t:C:o:" opt; do
    case $opt in
        j) job=$OPTARG ;;
        t) timeout_s=$OPTARG ;;
        C) workdir=$OPTARG ;;
        o) vivid_options=$OPTARG ;;
        *) echo "usage: $0 [-j JOB_DIR] [-t SECONDS] [-C WORK_DIR] [-o VIVID_OPTIONS] -- COMMAND [ARG...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
    echo "run-in-vivid: no command given" >&2
    exit 2
fi

PATH=$PATH:/usr/sbin:/sbin
for tool in qemu-system-x86_64 depmod modprobe gzip dpkg-deb apt-get timeout; do
    command -v "$tool" > /dev/null || { echo "run-in-vivid: $tool not found (apt-get install qemu-system-x86 busybox-static kmod)" >&2; exit 3; }
done
busybox=/bin/busybox
if ! [ -x "$busybox" ]; then
    echo "run-in-vivid: $busybox missing (apt-get install busybox-static)" >&2
    exit 3
fi
if ldd "$busybox" > /dev/null 2>&1; then
    echo "run-in-vivid: $busybox is dynamically linked; the initramfs needs busybox-static" >&2
    exit 3
fi

cache=${OBSCURA_VIVID_CACHE:-$HOME/.cache/obscura-vivid}
mkdir -p "$cache"
started=$(date +%s.%N)

# ---- kernel: downloaded and unpacked once per version -----------------------------------------------------
package=${OBSCURA_VIVID_KERNEL:-}
if [ -z "$package" ]; then
    # Reuse what is cached before asking apt, so runs work offline once the kernel is there.
    package=$(ls -1 "$cache" 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1 || true)
fi
if [ -z "$package" ]; then
    package=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1 | sort -V | tail -n 1)
    if [ -z "$package" ]; then
        echo "run-in-vivid: apt knows no linux-image-6.1.0-*-amd64 package (run apt-get update)" >&2
        exit 3
    fi
fi
kdir=$cache/$package
if ! [ -f "$kdir/ready" ]; then
    echo "run-in-vivid: fetching $package into $kdir" >&2
    rm -rf "$kdir"
    mkdir -p "$kdir/deb"
    (cd "$kdir/deb" && apt-get download -q "$package" > /dev/null 2>&1) \
        || { echo "run-in-vivid: apt-get download $package failed" >&2; exit 3; }
    dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
    rm -rf "$kdir/deb"
    touch "$kdir/ready"
fi
kver=$(ls -1 "$kdir/root/lib/modules" | head -n 1)
vmlinuz=$kdir/root/boot/vmlinuz-$kver

# ---- initramfs: busybox, the modules in load order, and the init below ------------------------------------
init_script=$(cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "guest: $*" > /dev/console; poweroff -f; }
param() { for a in $(cat /proc/cmdline); do case $a in "$1="*) echo "${a#*=}" ;; esac; done; }
load() { insmod "/modules/$1" $2 || fail "insmod $1 failed"; }
while read -r m; do load "$m"; done < /modules/base.load
job=$(param obscura.job)
mkdir -p /job /host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job /job || fail "cannot mount the job folder"
while read -r m; do
    case $m in */vivid.ko) load "$m" "$(cat /job/vivid-options)" ;; *) load "$m" ;; esac
done < /modules/media.load
# udev is not running: create the by-path links it would (60-persistent-v4l.rules), so stable paths resolve.
mkdir -p /dev/v4l/by-path
for n in /sys/class/video4linux/video*; do
    [ -e "$n" ] || continue
    node=${n##*/}
    bus=$(basename "$(readlink "$n/device")")
    ln -s "../../$node" "/dev/v4l/by-path/platform-$bus-video-index$(cat "$n/index")"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host || fail "cannot mount the host root"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount --bind /dev /host/dev
# /tmp: the host's own /tmp (a checkout or build may live there) made writable by an overlay on a fresh
# tmpfs; a plain tmpfs if the kernel cannot overlay 9p.
mkdir -p /ovl && mount -t tmpfs ovl /ovl && mkdir -p /ovl/upper /ovl/work
mount -t overlay overlay -o lowerdir=/host/tmp,upperdir=/ovl/upper,workdir=/ovl/work /host/tmp \
    || mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
# A job folder under /tmp or /run lies in the fresh tmpfs: create its mount point there.
mkdir -p "/host$job" 2>/dev/null
mount --bind /job "/host$job" || fail "cannot mount the job folder at $job"
cut -d' ' -f1 /proc/uptime > /job/ready-seconds
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp/home XDG_CACHE_HOME=/tmp/cache LANG=C.UTF-8 TMPDIR=/tmp OBSCURA_VIVID_GUEST=1 \
    /bin/sh "$job/command.sh" > /job/output.log 2>&1
echo $? > /job/exit-code.tmp
mv /job/exit-code.tmp /job/exit-code
cut -d' ' -f1 /proc/uptime > /job/done-seconds
sync
umount "/host$job" /job 2>/dev/null
poweroff -f
INIT
)
init_hash=$(printf '%s' "$init_script" | sha256sum | cut -c1-12)
initrd=$kdir/initrd-$init_hash.img
if ! [ -f "$initrd" ]; then
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage"/{bin,proc,sys,dev,modules,job,host}
    cp "$busybox" "$stage/bin/busybox"
    printf '%s\n' "$init_script" > "$stage/init"
    chmod 755 "$stage/init"
    depmod -b "$kdir/root" "$kver"
    modroot=$kdir/root/lib/modules/$kver/
    # Dependency order as modprobe resolves it, each module once.
    order() {
        for m in "$@"; do modprobe -d "$kdir/root" -S "$kver" --show-depends "$m"; done \
            | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | sed "s|^$modroot||"
    }
    order virtio_pci 9pnet_virtio 9p overlay > "$stage/modules/base.load"
    order vivid | grep -v -x -F -f "$stage/modules/base.load" > "$stage/modules/media.load"
    while read -r m; do
        mkdir -p "$stage/modules/$(dirname "$m")"
        cp "$modroot/$m" "$stage/modules/$m"
    done < <(cat "$stage/modules/base.load" "$stage/modules/media.load")
    (cd "$stage" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    rm -rf "$stage"
    trap - EXIT
fi

# ---- the job folder ----------------------------------------------------------------------------------------
own_job=false
if [ -z "$job" ]; then
    job=$(mktemp -d)
    own_job=true
fi
mkdir -p "$job"
job=$(cd "$job" && pwd -P)
case $job in *' '*) echo "run-in-vivid: the job folder path must not contain spaces: $job" >&2; exit 2 ;; esac
rm -f "$job/exit-code" "$job/output.log" "$job/console.log" "$job/ready-seconds" "$job/done-seconds"
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
    echo "cd $(quote "$workdir") || exit 126"
    printf 'exec'
    for a in "$@"; do printf ' %s' "$(quote "$a")"; done
    echo
} > "$job/command.sh"
printf '%s\n' "$vivid_options" > "$job/vivid-options"

# ---- boot -------------------------------------------------------------------------------------------------
# One host thread runs both guest CPUs (thread=single). With one host thread per guest CPU (thread=multi), Java
# in the guest crashed now and then with SIGSEGV at the entry of a freshly compiled method (three times in six
# runs on one day, in methods as plain as Pattern.next), with and without AVX: the JIT writes code on one CPU
# and another runs it, and multi-threaded emulation does not always see the new code.
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
    -accel tcg,thread=single -cpu max -smp 2 -m 2048 \
    -display none -monitor none -nic none -no-reboot \
    -serial "file:$job/console.log" \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 obscura.job=$job" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$job,mount_tag=job,security_model=none" < /dev/null
qemu_status=$?
set -e
finished=$(date +%s.%N)

if [ -f "$job/output.log" ]; then
    cat "$job/output.log"
fi
ready=$(cat "$job/ready-seconds" 2>/dev/null || echo "?")
done_at=$(cat "$job/done-seconds" 2>/dev/null || echo "?")
total=$(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", b - a }')
if [ -f "$job/exit-code" ]; then
    code=$(cat "$job/exit-code")
    echo "run-in-vivid: $kver, guest ready after ${ready}s, command done at ${done_at}s guest uptime, exit $code, ${total}s in all" >&2
else
    code=125
    if [ $qemu_status -eq 124 ] || [ $qemu_status -eq 137 ]; then
        echo "run-in-vivid: timed out after ${timeout_s}s (guest ready: ${ready}s)" >&2
    else
        echo "run-in-vivid: the guest reported no exit code (qemu status $qemu_status)" >&2
    fi
    echo "---- guest console (last lines) ----" >&2
    tail -n 40 "$job/console.log" >&2 || true
fi
if $own_job; then
    rm -rf "$job"
fi
exit "$code"
