#!/bin/sh
# Never fetch, enforced: scan (and clean, once built) the whole corpus inside
# a network namespace with no interfaces and under strace, and check that
# no socket is ever created. Exit 77 (skip) when namespaces or strace are
# not available (not root, in a container without CAP_SYS_ADMIN).
#
# usage: no_network.sh BUGSWEEP SHARED_DIR
set -u
exe=$1
corpus=$2/corpus/raw
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v strace >/dev/null 2>&1 || { echo "strace missing: skip"; exit 77; }
# LeakSanitizer stops the world with ptrace, which strace already holds;
# leaks are checked by every other test of the ASan build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unshare -n true 2>/dev/null || { echo "cannot unshare the network namespace: skip"; exit 77; }

run() {
	name=$1
	shift
	unshare -n strace -f -qq -e trace=%network -o "$tmp/$name.trace" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	if [ $rc -gt 2 ]; then
		echo "FAIL $name: exit $rc"
		tail -5 "$tmp/$name.err"
		return 1
	fi
	calls=$(grep -cE '(socket|connect|sendto|sendmsg|getaddrinfo)\(' "$tmp/$name.trace")
	if [ "$calls" -ne 0 ]; then
		echo "FAIL $name: $calls network system calls:"
		grep -E '(socket|connect|sendto|sendmsg)\(' "$tmp/$name.trace" | head -5
		return 1
	fi
	echo "ok $name: $(wc -l <"$tmp/$name.out") lines of output, no socket"
	return 0
}

fail=0
run scan "$exe" scan --json --jobs 2 --no-progress "$corpus" || fail=1
if "$exe" clean --help >/dev/null 2>&1; then
	n=0
	for f in "$corpus"/*/*; do
		n=$((n + 1))
		[ $n -gt 300 ] && break
		printf '%s\n' "$f"
	done >"$tmp/list"
	# clean one message per process: the whole pipeline of each, traced
	unshare -n strace -f -qq -e trace=%network -o "$tmp/clean.trace" \
		sh -c 'while IFS= read -r f; do "$0" clean <"$f" >/dev/null; done' \
		"$exe" <"$tmp/list"
	calls=$(grep -cE '(socket|connect|sendto|sendmsg)\(' "$tmp/clean.trace")
	if [ "$calls" -ne 0 ]; then
		echo "FAIL clean: $calls network system calls"
		fail=1
	else
		echo "ok clean: $(wc -l <"$tmp/list") messages, no socket"
	fi
fi
[ $fail -eq 0 ] && echo "FIGURE no-network: scan and clean of the corpus made no network call"
exit $fail
