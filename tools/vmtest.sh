#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh KDIR [demo]: boot the Debian kernel that KDIR's headers belong to in
# QEMU (TCG, q35, VT-d in caching mode with snoop control, two edu devices
# in groups of their own and two behind a PCI bridge, sharing one group)
# with a busybox initramfs holding the VFIO modules, pviommu.ko and the
# static selftests, run them (see tools/vm/init) and judge the run. Fails on a failed test, a missing end
# marker, or a kernel splat. Writes "passed failed" to .build/vmtest.result.
# With "demo", runs tools/demo/pviommu-demo instead of the tests; with
# "bench", tools/bench/pviommu-bench (needs a PVIOMMU_TEST=1 module), whose
# JSON lands in .build/bench/bench.json; with "e2e", the end-to-end test:
# the patched QEMU (tools/qemu/build.sh) boots the same kernel as an L2
# guest inside the VM, with an edu assigned, and tools/vm/l2-test drives
# it through the L2 kernel's own intel-iommu driver; with "bench-e2e", the
# end-to-end benchmark: the same L2 three times, under Debian's stock QEMU
# (shadowing through VFIO type1), under the patched one with pviommu and
# under the patched one without it (the control), with the guest's own
# VFIO map + unmap pairs and kernel DMA API calls timed, under -icount;
# its table and JSON land in .build/bench/e2e.json; with "libvirt", the
# libvirt test: the VM boots a Debian root file system with libvirt
# (tools/vm/rootfs.sh) under systemd, and tools/vm/libvirt-test starts
# the L2 guest with virsh.
# PVIOMMU_KO names another pviommu.ko (built for KDIR), PVIOMMU_RESULT
# another result file. PVIOMMU_VM_IOMMU=amd gives the VM an AMD-Vi unit
# instead of VT-d as the host IOMMU pviommu shadows into, as on AMD EPYC
# hosts (QEMU's amd-iommu with interrupt remapping; it drops DMA faults
# silently).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
mode=${2:-tests}
result=${PVIOMMU_RESULT:-$root/.build/vmtest.result}
echo "0 1" > "$result"

kver=$(basename "$(readlink -f "$kdir")")
kver=${kver#linux-headers-}
case ${PVIOMMU_VM_IOMMU:-intel} in
intel)
	viommu=intel-iommu,intremap=on,caching-mode=on,aw-bits=48,snoop-control=on
	viommu_arg=intel_iommu=on
	viommu_name=VT-d
	suffix=
	;;
amd)
	viommu=amd-iommu,intremap=on
	viommu_arg=amd_iommu=on
	viommu_name=AMD-Vi
	suffix=-amd
	;;
*)
	echo "vmtest: PVIOMMU_VM_IOMMU is intel or amd" >&2
	exit 1
	;;
esac
# One directory per mode, kernel and host IOMMU: runs of different modes do
# not clobber each other's files.
out=$root/.build/vm/$mode-$kver$suffix
mkdir -p "$out"
kernel=${PVIOMMU_VM_KERNEL:-/boot/vmlinuz-$kver}
ko=${PVIOMMU_KO:-$root/drivers/iommu/pviommu/pviommu.ko}
if [ ! -r "$kernel" ]; then
	echo "vmtest: no kernel image $kernel for $kdir (run 'make deps')" >&2
	exit 1
fi
if [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$kver" ]; then
	echo "vmtest: $ko is not built for $kver" >&2
	exit 1
fi

make -s -C "$root/selftests/pviommu" OUT="$out/selftests" || exit 1
${CC:-cc} -O2 -Wall -Werror -D_GNU_SOURCE -static -I"$root/include/uapi" \
	-I"$root/selftests/pviommu" -o "$out/pviommu-demo" \
	"$root/tools/demo/pviommu-demo.c" || exit 1
${CC:-cc} -O2 -Wall -Werror -static -o "$out/pviommu-stat" \
	"$root/tools/pviommu-stat/pviommu-stat.c" || exit 1
${CC:-cc} -O2 -Wall -Werror -static -o "$out/runas" \
	"$root/tools/vm/runas.c" || exit 1

# The initramfs: busybox, the init script, the module, the tests. For
# the libvirt test, on top of a Debian root file system with libvirt
# (tools/vm/rootfs.sh), which systemd boots.
rootfs=$out/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"
if [ "$mode" = libvirt ]; then
	tar -C "$rootfs" -xf "$("$root/tools/vm/rootfs.sh")" || exit 1
fi
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,tests}
cp /bin/busybox "$rootfs/bin/busybox"
cp "$root/tools/vm/init" "$rootfs/init"
cp "$root/tools/vm/common.sh" "$rootfs/common.sh"
cp "$ko" "$rootfs/pviommu.ko"
cp "$out"/selftests/* "$rootfs/tests/"
cp "$out/pviommu-demo" "$out/pviommu-stat" "$out/runas" "$rootfs/"
if [ "$mode" = bench ]; then
	${CC:-cc} -O2 -Wall -Werror -D_GNU_SOURCE -static \
		-I"$root/include/uapi" -I"$root/selftests/pviommu" \
		-I"$root/drivers/iommu/pviommu" -o "$rootfs/pviommu-bench" \
		"$root/tools/bench/pviommu-bench.c" || exit 1
fi

# pack_modules DIR MODULE...: the kernel's own modules, with their
# dependencies, into DIR/lib/modules, and their names, dependencies first,
# into DIR/lib/modules/order, which the init scripts load.
pack_modules() {
	local dir=$1 m
	shift
	mkdir -p "$dir/lib/modules"
	added=" "
	for m in "$@"; do
		add_module "$dir" "$m" ||
			{ echo "vmtest: no module $m for $kver" >&2; return 1; }
	done
}
add_module() {
	local dir=$1 path name dep
	path=$(modinfo -k "$kver" -n "$2") || return 1
	name=$(basename "$path")
	name=${name%%.ko*}
	case $added in *" $name "*) return 0 ;; esac
	for dep in $(modinfo -k "$kver" -F depends "$2" | tr , ' '); do
		add_module "$dir" "$dep" || return 1
	done
	case $path in
	*.xz) xz -dc "$path" ;;
	*.zst) zstd -qdc "$path" ;;
	*) cat "$path" ;;
	esac > "$dir/lib/modules/$name.ko" || return 1
	echo "$name" >> "$dir/lib/modules/order"
	added="$added$name "
}

# install_modules DIR MODULE...: the kernel's own modules, with their
# dependencies, where Debian's kernel package has them, and pviommu.ko
# where dkms installs it, under DIR/lib/modules/KVER; with depmod's
# index, for a root file system whose modprobe and udev load them.
install_modules() {
	local dir=$1 m path
	shift
	for m in "$@"; do
		for path in $(modprobe -S "$kver" --show-depends "$m" |
			sed -n 's/^insmod //p'); do
			mkdir -p "$dir$(dirname "$path")"
			cp "$path" "$dir$path" || return 1
		done
	done
	cp /lib/modules/"$kver"/modules.builtin* \
		/lib/modules/"$kver"/modules.order "$dir/lib/modules/$kver/" &&
	mkdir -p "$dir/lib/modules/$kver/updates/dkms" &&
	cp "$ko" "$dir/lib/modules/$kver/updates/dkms/pviommu.ko" &&
	depmod -b "$dir" "$kver"
}

# The VM loads before pviommu: vfio-pci (and VFIO, which pviommu needs),
# VFIO's type1 backend (the benchmark's baseline, a test's wrong type)
# and uio_pci_generic (a host driver that makes a group not viable). The
# end-to-end run leaves type1 out: the patched QEMU cannot map through
# VFIO there.
if [ "$mode" = libvirt ]; then
	install_modules "$rootfs" vfio-pci || exit 1
elif [ "$mode" = e2e ]; then
	pack_modules "$rootfs" vfio-pci || exit 1
	# Loaded only for the last check, QEMU's fallback to its own shadowing.
	pack_modules "$rootfs/type1" vfio_iommu_type1 || exit 1
elif [ "$mode" = bench-e2e ]; then
	pack_modules "$rootfs" vfio-pci vfio_iommu_type1 || exit 1
else
	pack_modules "$rootfs" vfio-pci vfio_iommu_type1 uio_pci_generic ||
		exit 1
fi

# copy_libs FILE: FILE's shared libraries into the root file system.
copy_libs() {
	local f
	for f in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$rootfs$(dirname "$f")"
		cp -L "$f" "$rootfs$f"
	done
}

# bench-e2e: Debian's stock QEMU 10.0 too (bookworm-backports' package,
# unpacked; TCG is built in), the same version as the patched one.
if [ "$mode" = bench-e2e ]; then
	stock=$("$root/tools/qemu/stock.sh") || exit 1
	mkdir -p "$rootfs/usr/bin"
	strip -o "$rootfs/usr/bin/qemu-stock" "$stock" || exit 1
	copy_libs "$stock"
fi

# e2e: the patched QEMU with its libraries and firmware, and the L2 guest:
# the same kernel, an initramfs with VFIO and tools/vm/l2-test.
# libvirt: the patched QEMU in the place of the root file system's own
# (Debian 13's, of the same version), as a patched package would put it;
# its firmware and libraries are the file system's.
if [ "$mode" = e2e ] || [ "$mode" = bench-e2e ] || [ "$mode" = libvirt ]
then
	qemu=${PVIOMMU_QEMU:-$("$root/tools/qemu/build.sh")} || exit 1
	mkdir -p "$rootfs/usr/bin" "$rootfs/usr/share/qemu" "$rootfs/l2"
	# Symbols stay for a profile (PVIOMMU_PERF).
	if [ -n "${PVIOMMU_PERF:-}" ]; then
		cp "$qemu" "$rootfs/usr/bin/qemu-system-x86_64" || exit 1
	else
		strip -o "$rootfs/usr/bin/qemu-system-x86_64" "$qemu" || exit 1
	fi
	if [ "$mode" = libvirt ]; then
		if chroot "$rootfs" ldd /usr/bin/qemu-system-x86_64 |
			grep 'not found'; then
			echo "vmtest: the root file system lacks QEMU's libraries" >&2
			exit 1
		fi
	else
		copy_libs "$qemu"
	fi
	# Firmware from Debian's qemu-system-data and seabios packages
	# (libvirt: the file system has them).
	if [ "$mode" != libvirt ]; then
		for f in bios-256k.bin kvmvapic.bin linuxboot_dma.bin; do
			f=$(ls /usr/share/qemu/"$f" /usr/share/seabios/"$f" \
				2>/dev/null | head -n 1)
			[ -n "$f" ] && cp -L "$f" "$rootfs/usr/share/qemu/" ||
				exit 1
		done
	fi
	cp "$kernel" "$rootfs/l2/vmlinuz"
	l2=$out/l2root
	rm -rf "$l2"
	mkdir -p "$l2"/{bin,dev,proc,sys,tmp}
	cp /bin/busybox "$l2/bin/busybox"
	install -m 755 "$root/tools/vm/l2-init" "$l2/init"
	${CC:-cc} -O2 -Wall -Werror -D_GNU_SOURCE -static \
		-I"$root/include/uapi" -I"$root/selftests/pviommu" \
		-o "$l2/l2-test" "$root/tools/vm/l2-test.c" || exit 1
	pack_modules "$l2" vfio-pci vfio_iommu_type1 || exit 1
	# bench-e2e: the kernel DMA API workload's driver (tools/vm/l2dma),
	# built out of the tree for the L2 kernel, which is KDIR's.
	if [ "$mode" = bench-e2e ]; then
		rm -rf "$out/l2dma"
		cp -r "$root/tools/vm/l2dma" "$out/l2dma"
		cp "$root/selftests/pviommu/edu.h" "$out/l2dma/"
		make -s -C "$kdir" M="$out/l2dma" modules || exit 1
		cp "$out/l2dma/l2dma.ko" "$l2/l2dma.ko"
	fi
	(cd "$l2" && find . | cpio -o -H newc --quiet | gzip -1) \
		> "$rootfs/l2/initrd.gz" || exit 1
	# e2e: Debian 12's own kernel as an L2 kernel too, with its modules.
	k61=$(ls /boot/vmlinuz-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)
	if [ "$mode" = e2e ] && [ -n "$k61" ]; then
		cp "$k61" "$rootfs/l2/vmlinuz-6.1"
		rm -rf "$l2/lib"
		kver=${k61#/boot/vmlinuz-} pack_modules "$l2" vfio-pci \
			vfio_iommu_type1 || exit 1
		(cd "$l2" && find . | cpio -o -H newc --quiet | gzip -1) \
			> "$rootfs/l2/initrd-6.1.gz" || exit 1
	fi
fi
# PVIOMMU_PERF=1: perf and its libraries, for a sampled profile of
# PVIOMMU_PROFILE's quick run (bench) or of the largest buffer's phase on
# each path (bench-e2e; tools/vm/init).
if { [ "$mode" = bench ] || [ "$mode" = bench-e2e ]; } &&
	[ -n "${PVIOMMU_PERF:-}" ]; then
	perf=$(command -v perf) || { echo "vmtest: no perf" >&2; exit 1; }
	for f in "$perf" $(ldd "$perf" | grep -o '/[^ ]*'); do
		mkdir -p "$rootfs$(dirname "$f")"
		cp -L "$f" "$rootfs$f"
	done
	ln -sf "$perf" "$rootfs/perf"
fi
# libvirt: the test runs as a service once the system is up; what an
# administrator has from this checkout (host/) is in /root/pviommu, the
# domain's XML in /root/l2.xml.
initrd=$out/initramfs.gz
init=/init
pack="gzip -1"
if [ "$mode" = libvirt ]; then
	install -m 755 "$root/tools/vm/libvirt-test" "$rootfs/libvirt-test"
	mkdir -p "$rootfs/root/pviommu"
	cp -r "$root/host" "$rootfs/root/pviommu/"
	cp "$root/tools/vm/l2.xml" "$rootfs/root/l2.xml"
	unit=$rootfs/etc/systemd/system/pviommu-test.service
	cat > "$unit" <<'EOS'
[Unit]
Description=pviommu's libvirt test
After=multi-user.target libvirtd.service
[Service]
Type=oneshot
ExecStart=/libvirt-test
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS1
[Install]
WantedBy=multi-user.target
EOS
	ln -sf /etc/systemd/system/pviommu-test.service \
		"$rootfs/etc/systemd/system/multi-user.target.wants/"
	ln -sf /lib/systemd/system/multi-user.target \
		"$rootfs/etc/systemd/system/default.target"
	echo l1 > "$rootfs/etc/hostname"
	# Not compressed: under TCG, the kernel unpacks 300 MB of gzip in
	# minutes.
	initrd=$out/initramfs.cpio
	init=/sbin/init
	pack=cat
fi
(cd "$rootfs" && find . | cpio -o -H newc --quiet | $pack) > "$initrd" ||
	exit 1

mem=2G
accel=tcg
# The end-to-end test assigns three edus in groups of their own, and
# boots its L2 guest ten times (about 2 minutes each).
extra=
timeout=900
if [ "$mode" = e2e ]; then
	extra="-device edu"
	timeout=3600
fi
if [ "$mode" = bench ] || [ "$mode" = bench-e2e ]; then
	mem=4G
	# Guest time counts instructions (1 ns each): repeatable figures,
	# whatever else the host is doing.
	accel="tcg -icount shift=0,sleep=off"
fi
# Three L2 boots, each with a timed and a counting pass.
[ "$mode" = bench-e2e ] && timeout=2400
# The root file system is in RAM.
[ "$mode" = libvirt ] && mem=3G && timeout=1500
console=$out/console.log
tests=$out/tests.log
: > "$console"
: > "$tests"
echo "vmtest: booting $kernel"
# One vCPU: with two, multi-threaded TCG occasionally oopses on int3 while
# the kernel patches static keys at boot (cross-modifying code), before
# anything of ours runs.
timeout "${PVIOMMU_VM_TIMEOUT:-$timeout}" qemu-system-x86_64 \
	-accel $accel -M q35 -cpu max -smp 1 -m "$mem" \
	-device "$viommu" \
	-device edu -device edu \
	-device pci-bridge,id=pb,chassis_nr=1,shpc=off \
	-device edu,bus=pb,addr=1 -device edu,bus=pb,addr=2 $extra \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 $viommu_arg panic=-1 rdinit=$init pviommu_mode=$mode ${PVIOMMU_PROFILE:+pviommu_profile=$PVIOMMU_PROFILE} ${PVIOMMU_PERF:+pviommu_perf=$PVIOMMU_PERF} ${PVIOMMU_PERF_SYM:+pviommu_perf_sym=$PVIOMMU_PERF_SYM}" \
	-display none -monitor none -no-reboot \
	-serial "file:$console" -serial "file:$tests" \
	</dev/null 2>"$out/qemu.log"
qrc=$?
# The serial line ends lines with CR LF.
sed -i 's/\r$//' "$tests" "$console"
cat "$tests"

bad=0
if [ "$qrc" -ne 0 ]; then
	cat "$out/qemu.log" >&2
	echo "vmtest: qemu exited with $qrc" >&2
	bad=1
fi
if ! grep -q '^PVIOMMU-VMTEST-END' "$tests"; then
	echo "vmtest: no end marker; the VM died or hung (see $console)" >&2
	bad=1
fi
# Kernel splats, and any taint but the expected out-of-tree and unsigned
# module messages. DMAR faults are expected: tests DMA through unmapped
# IOVAs on purpose.
splat='BUG:|WARNING:|Oops|KASAN|UBSAN|Call Trace|general protection|Kernel panic'
if grep -E "$splat" "$console"; then
	echo "vmtest: kernel splat in $console" >&2
	bad=1
fi
if grep -i taint "$console" |
	grep -v -e 'loading out-of-tree module taints kernel' \
		-e 'module verification failed: signature and/or required key missing - tainting kernel'; then
	echo "vmtest: unexpected taint in $console" >&2
	bad=1
fi

profile=${PVIOMMU_PROFILE:-}
if [ "$mode" = bench ] && [ "${profile:0:1}" = @ ]; then
	sed -n '/^PVIOMMU-PERF-BEGIN$/,/^PVIOMMU-PERF-END$/p' "$tests" |
		sed '1d;$d'
	grep '^quick:' "$tests"
	exit $?
fi
if [ "$mode" = bench ] && [ -n "${PVIOMMU_PROFILE:-}" ]; then
	mkdir -p "$root/.build/bench"
	sed -n '/^PVIOMMU-TRACE-BEGIN$/,/^PVIOMMU-TRACE-END$/p' "$tests" |
		sed '1d;$d' > "$root/.build/bench/trace.txt"
	python3 "$root/tools/bench/profile.py" "$root/.build/bench/trace.txt"
	exit $?
fi
if [ "$mode" = bench ]; then
	mkdir -p "$root/.build/bench"
	sed -n '/^PVIOMMU-BENCH-JSON-BEGIN$/,/^PVIOMMU-BENCH-JSON-END$/p' \
		"$tests" | sed '1d;$d' > "$root/.build/bench/bench.json"
	grep -q '^PVIOMMU-BENCH-RESULT rc=0$' "$tests" || bad=1
	python3 "$root/tools/bench/finish.py" "$root/.build/bench/bench.json" \
		"$(qemu-system-x86_64 --version | head -n 1)" \
		"$(git -C "$root" describe --always --dirty 2>/dev/null)" || bad=1
	exit "$bad"
fi
if [ "$mode" = e2e ]; then
	cp "$tests" "$root/.build/e2e.log"
fi
if [ "$mode" = bench-e2e ] && [ -n "${PVIOMMU_PERF:-}" ]; then
	mkdir -p "$root/.build/bench"
	sed -n '/^PVIOMMU-PERF-BEGIN/,/^PVIOMMU-PERF-END/p' "$tests" \
		> "$root/.build/bench/e2e-perf.txt"
	cat "$root/.build/bench/e2e-perf.txt"
	grep -q '^PVIOMMU-VMTEST-RESULT passed=[0-9]* failed=0' "$tests" ||
		bad=1
	exit "$bad"
fi
if [ "$mode" = bench-e2e ]; then
	mkdir -p "$root/.build/bench"
	grep '^PVIOMMU-E2E ' "$tests" > "$root/.build/bench/e2e.txt"
	python3 "$root/tools/bench/e2e.py" "$root/.build/bench/e2e.txt" \
		"$root/.build/bench/e2e.json" "kernel=$kver" \
		"stock_qemu=$("$stock" --version | head -n 1)" \
		"module=$(git -C "$root" describe --always --dirty 2>/dev/null)" ||
		bad=1
	[ "$bad" -eq 0 ] && grep -q '^PVIOMMU-VMTEST-RESULT passed=[0-9]* failed=0' \
		"$tests" || bad=1
	exit "$bad"
fi
if [ "$mode" = demo ]; then
	grep -q '^PVIOMMU-DEMO-RESULT rc=0$' "$tests" || bad=1
	if [ "$bad" -ne 0 ]; then
		echo "demo: FAILED" >&2
		exit 1
	fi
	echo "demo: ok"
	exit 0
fi

line=$(grep '^PVIOMMU-VMTEST-RESULT' "$tests" | tail -n 1)
passed=$(echo "$line" | sed -n 's/.*passed=\([0-9]*\).*/\1/p')
failed=$(echo "$line" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
passed=${passed:-0}
failed=${failed:-0}
if [ "$bad" -ne 0 ]; then
	failed=$((failed + 1))
fi
echo "$passed $failed" > "$result"
# The host IOMMU as the VM's kernel found it.
found=none
grep -q 'AMD-Vi: ' "$console" && found=AMD-Vi
grep -q 'DMAR: IOMMU enabled\|DMAR-IR: ' "$console" && found=VT-d
if [ "$found" != "$viommu_name" ]; then
	echo "vmtest: asked for $viommu_name, the VM's kernel found $found" >&2
	failed=$((failed + 1))
	echo "$passed $failed" > "$result"
fi
echo "vmtest: $passed passed, $failed failed (host IOMMU: $found, $kver)"
[ "$failed" -eq 0 ]
