#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run `vsched probe --json` once; extra arguments come from
# vsched.probe_args="..." on the kernel command line (VSCHED_PROBE_ARGS).
# rc is java's rc.
# shellcheck disable=SC2086 # VSCHED_PROBE_ARGS is a list of words on purpose
java --enable-native-access=ALL-UNNAMED -Xshare:auto -jar /opt/vsched/vsched.jar \
	probe --json ${VSCHED_PROBE_ARGS:-} >"$VSCHED_OUT/probe.json" 2>"$VSCHED_OUT/probe.err"
