#!/bin/sh
# The MDA configurations of docs/CLEAN.md, run for real: each fenced block
# that follows a "<!-- tested: NAME -->" marker is written to a temporary
# home ($HOME replaced by it), a message with trackers from examples/ is
# delivered through it into a temporary Maildir, and the delivered mail
# must be cleaned (an X-Bugsweep header with removed=N, N > 0) and must
# scan as tracking nothing.
#
# usage: pipe_test.sh BUGSWEEP CLEAN.md MESSAGE
# Exit 77 (skipped) when neither procmail nor maildrop is installed.
set -u
bugsweep=$1 doc=$2 msg=$3
bindir=$(cd "$(dirname "$bugsweep")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
ran=0 failed=0

block() { # the fenced block after the marker for $1
	awk -v m="<!-- tested: $1 -->" '
		index($0, m) { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$doc"
}

check() { # $1 name, $2 Maildir
	f=$(find "$2/new" "$2/cur" -type f 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		echo "FAIL $1: nothing delivered"; failed=$((failed + 1)); return
	fi
	if ! head -n 1 "$f" | grep -q '^X-Bugsweep: bugsweep .*removed=[1-9]'; then
		echo "FAIL $1: not cleaned:"; head -n 3 "$f"; failed=$((failed + 1)); return
	fi
	if ! "$bugsweep" scan --no-color --no-progress "$f" >/dev/null; then
		echo "FAIL $1: the delivered mail still tracks"; failed=$((failed + 1)); return
	fi
	echo "ok $1: delivered cleaned ($(head -n 1 "$f" | cut -c1-60)...)"
}

if command -v procmail >/dev/null 2>&1; then
	home=$tmp/procmail
	mkdir -p "$home/Maildir/cur" "$home/Maildir/new" "$home/Maildir/tmp"
	{
		echo "PATH=$bindir:/usr/bin:/bin"
		block procmail | sed "s|\$HOME|$home|g"
	} > "$home/.procmailrc"
	[ -s "$home/.procmailrc" ] || { echo "FAIL: no procmail block in $doc"; exit 1; }
	HOME=$home procmail -m "$home/.procmailrc" < "$msg"
	echo "procmail exit $?"
	check procmail "$home/Maildir"
	ran=$((ran + 1))
fi
if command -v maildrop >/dev/null 2>&1; then
	home=$tmp/maildrop
	mkdir -p "$home/Maildir/cur" "$home/Maildir/new" "$home/Maildir/tmp"
	{
		echo "PATH=\"$bindir:/usr/bin:/bin\""
		block maildrop | sed "s|\$HOME|$home|g"
	} > "$home/.mailfilter"
	[ -s "$home/.mailfilter" ] || { echo "FAIL: no maildrop block in $doc"; exit 1; }
	chmod 600 "$home/.mailfilter"
	HOME=$home maildrop "$home/.mailfilter" < "$msg"
	echo "maildrop exit $?"
	check maildrop "$home/Maildir"
	ran=$((ran + 1))
fi
[ $ran -eq 0 ] && { echo "neither procmail nor maildrop installed"; exit 77; }
echo "clean-pipe: $((ran - failed)) passed, $failed failed"
[ $failed -eq 0 ]
