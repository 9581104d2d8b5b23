# pinwb top-level Makefile: dependencies, fio, engine, tests, runs, kernel, VM.
# Everything downloaded or built lands under build/ (gitignored).

TOP        := $(CURDIR)
FIO_SRC    := $(TOP)/build/fio-3.33
FIO        := $(FIO_SRC)/fio
ENGINE     := $(TOP)/engines/pinwb.so
VERIFIER   := $(TOP)/engines/pinwb-verify

# make run JOB=dio-write-uring FS=xfs RUNTIME=10
JOB        ?= dio-read-uring
FS         ?= ext4
RUNTIME    ?= 10
# make kernel KERNEL_PATCHES=none builds the unpatched baseline
KERNEL_PATCHES ?= series
# make vm-test VM_SUITE=selftest; the kernel follows KERNEL_PATCHES
VM_SUITE   ?= short
# make vm-test VM_CONFIG=debug: the same kernel plus kernel-patch/config.debug
VM_CONFIG  ?= default
# extra arguments for scripts/pinwb vm / bench / tests/run
VM_ARGS    ?=
BENCH_ARGS ?=
TESTS      ?=

.PHONY: all deps fio engine unit test run bench kernel vm vm-test vm-peers clean distclean help

all: fio engine

help:
	@echo "targets: all (default: fio, engine, verifier), deps, test, run, bench,"
	@echo "         kernel, vm, vm-test, vm-peers, clean, distclean"
	@echo "vars:    JOB=$(JOB) FS=$(FS) RUNTIME=$(RUNTIME) KERNEL_PATCHES=$(KERNEL_PATCHES)"
	@echo "         VM_SUITE=$(VM_SUITE) VM_CONFIG=$(VM_CONFIG) TESTS=<filter for tests/run> BENCH_ARGS=... VM_ARGS=..."

deps:
	scripts/deps.sh

# build-fio.sh is incremental; it is cheap to call every time.
fio:
	scripts/build-fio.sh >/dev/null

engine: fio
	$(MAKE) -C engines FIO_SRC=$(FIO_SRC)

# Unit tests are optional until tests/unit/Makefile exists.
unit: engine
	@if [ -f tests/unit/Makefile ]; then \
		$(MAKE) -C tests/unit FIO_SRC=$(FIO_SRC); \
	else \
		echo "unit: no tests/unit/Makefile, no unit tests to build"; \
	fi

test: all unit
	tests/run $(TESTS)

# The main job on a fresh loop-mounted ext4 image: no user disk is touched.
run: all
	scripts/pinwb run $(JOB) --fs $(FS) --runtime $(RUNTIME)

bench: all
	scripts/pinwb bench $(BENCH_ARGS)

kernel:
	scripts/kernel/build.sh --patches $(KERNEL_PATCHES) --config $(VM_CONFIG)

# Boot the kernel built from KERNEL_PATCHES in QEMU (scripts/vm/run.sh builds
# what is missing) and run its default suite; vm-test names the suite.
vm:
	scripts/pinwb vm --kernel $(KERNEL_PATCHES) --config $(VM_CONFIG) $(VM_ARGS)

vm-test:
	scripts/pinwb vm --kernel $(KERNEL_PATCHES) --config $(VM_CONFIG) --suite $(VM_SUITE) $(VM_ARGS)

# The peers' suites on the baseline and the series (scripts/vm/peers.sh).
vm-peers:
	scripts/pinwb vm --peers --config $(VM_CONFIG) $(VM_ARGS)

clean:
	@if [ -f engines/Makefile ]; then $(MAKE) -C engines clean; fi
	@if [ -f tests/unit/Makefile ]; then $(MAKE) -C tests/unit clean; fi
	@if [ -f $(FIO_SRC)/Makefile ]; then $(MAKE) -C $(FIO_SRC) clean >/dev/null; fi

# Also drops downloads, run results and kernel builds under build/.
distclean: clean
	rm -rf build
