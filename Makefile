# leakwatch: one non-recursive Makefile.
#   make                      build every tool into $(BUILD)/bin
#   make check                build, then run the whole test suite (tests/run)
#   make SANITIZE=address,undefined check
#   make fuzz                 libFuzzer targets (clang) into $(FUZZ_DIR)/fuzz
#                             (FUZZ_DIR=dir, FUZZ_NAMES="fuzz_parse ..." for some)
#   make install PREFIX=/usr/local DESTDIR=
#   make V=1                  show full commands
# Tools are discovered: every directory tools/NAME with .c files becomes
# $(BUILD)/bin/NAME, linked with libcommon and LIBS_NAME.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?=
BUILD ?= build$(if $(SANITIZE),-san)

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
PROTOC_C ?= protoc-c

CFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wvla
ALL_CFLAGS = -std=gnu11 $(WARNFLAGS) $(CFLAGS) -MMD -MP -D_GNU_SOURCE \
	-DLW_VERSION='"$(VERSION)"' -Ilibcommon -I$(BUILD)/gen -include libcommon/compat.h
ALL_LDFLAGS = $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

.DELETE_ON_ERROR:
# Keep intermediate objects (unit tests, fuzz replays) between runs.
.SECONDARY:
.SUFFIXES:
.PHONY: all check fuzz install clean demo demo-live bench

COMMON_LIBS := -lprotobuf-c -lcsv -lz -lm
LIBS_pprof-fetch := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl) -lpthread
LIBS_cgo-trace := -lbpf -lelf -ldw -lpthread

TOOLS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/*.c)))))
# cgo-trace's CO-RE object needs the kernel's BTF (or a pinned bpf/vmlinux.h);
# without either, build the other tools and say why cgo-trace is missing.
ifeq ($(wildcard bpf/vmlinux.h /sys/kernel/btf/vmlinux),)
$(warning cgo-trace not built: no /sys/kernel/btf/vmlinux (kernel without BTF) and no bpf/vmlinux.h)
TOOLS := $(filter-out cgo-trace,$(TOOLS))
endif
BINS := $(addprefix $(BUILD)/bin/,$(TOOLS))

all: $(BINS) $(BUILD)/bin/test-tool

# --- generated protobuf-c code (kept inside libcommon's pprof module) ---
$(BUILD)/gen/profile.pb-c.c $(BUILD)/gen/profile.pb-c.h &: libcommon/profile.proto
	$(call msg,PROTOC,$<)
	$(Q)mkdir -p $(BUILD)/gen
	$(Q)$(PROTOC_C) --proto_path=libcommon --c_out=$(BUILD)/gen $<

# --- libcommon ---
LIBCOMMON_SRCS := $(wildcard libcommon/*.c)
LIBCOMMON_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBCOMMON_SRCS)) $(BUILD)/obj/gen/profile.pb-c.o
LIBCOMMON := $(BUILD)/libcommon.a

$(BUILD)/obj/gen/profile.pb-c.o: $(BUILD)/gen/profile.pb-c.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(CFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE)) -I$(BUILD)/gen -c -o $@ $<

# Everything may include the generated header, so generate it first.
$(BUILD)/obj/%.o: %.c $(BUILD)/gen/profile.pb-c.h
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBCOMMON): $(LIBCOMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# --- tools ---
define tool_rules
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard tools/$(1)/*.c))
$(BUILD)/bin/$(1): $$($(1)_OBJS) $(LIBCOMMON)
	$$(call msg,LD,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$($(1)_OBJS) $(LIBCOMMON) $$(LIBS_$(1)) $(COMMON_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))

# --- eBPF (cgo-trace): CO-RE object from bpf/, skeleton into $(BUILD)/gen ---
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRCS))
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_H := $(firstword $(wildcard bpf/vmlinux.h) $(BUILD)/gen/vmlinux.h)

$(BUILD)/gen/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) $(wildcard bpf/*.h)
	$(call msg,BPF,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(dir $(VMLINUX_H)) -Ibpf \
		-c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# cgo-trace's objects include the skeleton and bpf/cgo-trace.h.
$(filter $(BUILD)/obj/tools/cgo-trace/%,$(cgo-trace_OBJS)): $(BPF_SKELS)
$(filter $(BUILD)/obj/tools/cgo-trace/%,$(cgo-trace_OBJS)): ALL_CFLAGS += -Ibpf

# --- tests ---
TEST_TOOL_SRCS := $(wildcard tests/tool/*.c)
TEST_TOOL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_TOOL_SRCS))
$(BUILD)/bin/test-tool: $(TEST_TOOL_OBJS) $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_TOOL_OBJS) $(LIBCOMMON) $(COMMON_LIBS)

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBCOMMON) $(COMMON_LIBS)

# Corpus replay: each fuzz target linked with a plain main() that feeds it
# every file of its corpus (run by make check, no clang needed).
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/replay_%,$(FUZZ_SRCS))
# A target fuzzing a tool's parser links that tool's modules (never its
# main) and libraries: FUZZ_EXTRA_fuzz_NAME := tools/x/y.c, FUZZ_LIBS_fuzz_NAME.
FUZZ_EXTRA_fuzz_budget := tools/pprof-diff/budget.c
FUZZ_EXTRA_fuzz_fetch_target := tools/pprof-fetch/target.c
FUZZ_LIBS_fuzz_fetch_target := $(LIBS_pprof-fetch)
FUZZ_EXTRA_fuzz_fetch_validate := tools/pprof-fetch/validate.c
FUZZ_EXTRA_fuzz_lb_memstats := $(addprefix tools/leak-blame/,collect.c frames.c picture.c util.c)
# fuzz_lb_source compiles classify.c itself (for its static scanners).
FUZZ_EXTRA_fuzz_lb_source := $(addprefix tools/leak-blame/,source.c util.c render_common.c frames.c)
FUZZ_EXTRA_fuzz_cgo_probes := tools/cgo-trace/probes.c
FUZZ_LIBS_fuzz_cgo_probes := $(LIBS_cgo-trace)
FUZZ_EXTRA_fuzz_cgo_maps := tools/cgo-trace/procmaps.c
# cgo-trace's modules include bpf/cgo-trace.h (without BTF too: no skeleton).
$(BUILD)/obj/tools/cgo-trace/%.o $(BUILD)/obj/tests/fuzz/fuzz_cgo_%.o: ALL_CFLAGS += -Ibpf
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
$(foreach f,$(FUZZ_NAMES),$(eval $(BUILD)/tests/replay_$(f): \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(FUZZ_EXTRA_$(f)))))
$(BUILD)/tests/replay_%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay_main.o $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter-out $(LIBCOMMON),$^) $(LIBCOMMON) $(FUZZ_LIBS_$*) $(COMMON_LIBS)

check: all $(UNIT_BINS) $(FUZZ_REPLAY)
	@LW_BUILD=$(abspath $(BUILD)) LW_SANITIZE=$(SANITIZE) sh tests/run

# libFuzzer builds with clang, in their own directory.
FUZZ_DIR := build-fuzz
fuzz:
	$(MAKE) BUILD=$(FUZZ_DIR) CC=$(CLANG) CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' $(FUZZ_DIR)/libcommon.a
	@mkdir -p $(FUZZ_DIR)/fuzz
	@set -e; $(foreach n,$(FUZZ_NAMES), printf '  %-6s %s\n' FUZZ $(FUZZ_DIR)/fuzz/$(n); \
		$(CLANG) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
		-Ilibcommon -I$(FUZZ_DIR)/gen -Ibpf -include libcommon/compat.h tests/fuzz/$(n).c $(FUZZ_EXTRA_$(n)) \
		$(FUZZ_DIR)/libcommon.a $(FUZZ_LIBS_$(n)) $(COMMON_LIBS) -o $(FUZZ_DIR)/fuzz/$(n);)

bench: all
	@for b in bench/*/run; do echo "== $$b"; LW_BUILD=$(abspath $(BUILD)) sh $$b || exit 1; done

demo: all
	@LW_BUILD=$(abspath $(BUILD)) sh scripts/demo

# The live demo: builds testdata/demo (needs Go), watches it for a minute
# (cgo-trace too when root), prints the report.
demo-live: all
	@LW_BUILD=$(abspath $(BUILD)) sh scripts/leakwatch --demo goroutine,ticker,subslice,map,cgo

# --- install ---
MANPAGES := $(wildcard tools/*/*.1)
SCRIPTS := $(filter-out scripts/install-deps scripts/demo,$(wildcard scripts/*))
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(SCRIPTS),install -m 755 $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man1/)

clean:
	rm -rf build build-san $(FUZZ_DIR)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
