#!/bin/sh
# Bad input to `bugsweep scan`: a truncated message, a binary file, an
# unreadable file and an empty mbox in one directory, between two good
# messages. Each must give exactly one line on stderr naming the file, the
# run must go on (both good messages reported, every file in the JSON
# output: nothing read is lost), and the exit status must be 2. Run with
# --jobs 1 and --jobs 2 (the lines come in input order either way), and in
# the human view.
#
# usage: bad_input.sh BUGSWEEP MESSAGE
# As root, the scan runs as nobody (root reads a mode-000 file).
set -u
bugsweep=$1 msg=$2
tmp=$(mktemp -d) || exit 2
trap 'chmod -R u+rwX "$tmp"; rm -rf "$tmp"' EXIT
failed=0 ran=0

as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
	else
		"$@"
	fi
}

d=$tmp/mail
mkdir "$d"
cp "$bugsweep" "$tmp/bugsweep" # reachable by nobody wherever the build is
cp "$msg" "$d/a-good.eml"
head -c 300 "$msg" > "$d/b-truncated.eml"
# not mail: bytes with no header field at the top (fixed, not random, so
# that a failure can be replayed)
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%c", (i * 131 + 7) % 256 }' \
	> "$d/c-binary.bin"
printf 'x\n' > "$d/d-unreadable.eml"
: > "$d/e-empty.mbox"
cp "$msg" "$d/f-good.eml"
chmod 755 "$tmp" "$d"
chmod 644 "$d"/*
chmod 000 "$d/d-unreadable.eml"
if [ "$(id -u)" != 0 ] && [ -r "$d/d-unreadable.eml" ]; then
	echo "SKIP: cannot make an unreadable file here"; exit 77
fi

expect() { # $1 stderr file, $2 file name, $3 what the line must say
	n=$(grep -c "^bugsweep scan: .*/$2: $3" "$1")
	if [ "$n" != 1 ]; then
		echo "FAIL $run: want one line for $2 saying '$3', got $n"
		failed=$((failed + 1))
	fi
}

for jobs in 1 2; do
	run="--json --jobs $jobs"
	ran=$((ran + 1))
	as_user "$tmp/bugsweep" scan --json --jobs "$jobs" "$d" \
		> "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" = 2 ] || { echo "FAIL $run: exit $rc, want 2"; failed=$((failed + 1)); }
	expect "$tmp/err" b-truncated.eml "truncated: it ends inside a header"
	expect "$tmp/err" c-binary.bin "not a mail message"
	expect "$tmp/err" d-unreadable.eml "cannot read: Permission denied"
	expect "$tmp/err" e-empty.mbox "empty: no message in it"
	lines=$(wc -l < "$tmp/err")
	[ "$lines" = 4 ] || { echo "FAIL $run: $lines lines on stderr, want 4:"; cat "$tmp/err"; failed=$((failed + 1)); }
	# in input order
	order=$(sed 's|.*/\([a-f]\)-.*|\1|' "$tmp/err" | tr -d '\n')
	[ "$order" = bcde ] || { echo "FAIL $run: stderr order $order"; failed=$((failed + 1)); }
	# nothing lost: one JSON object per file, the good ones tracking
	objs=$(wc -l < "$tmp/out")
	[ "$objs" = 6 ] || { echo "FAIL $run: $objs JSON objects, want 6"; failed=$((failed + 1)); }
	good=$(grep -c '"tracks_open":true' "$tmp/out")
	[ "$good" = 2 ] || { echo "FAIL $run: $good tracking messages, want the 2 good ones"; failed=$((failed + 1)); }
	for p in mime:truncated mime:no-header io:cannot mime:empty; do
		grep -q "\"$p" "$tmp/out" || { echo "FAIL $run: no $p in the JSON"; failed=$((failed + 1)); }
	done
done

run="human view"
ran=$((ran + 1))
as_user "$tmp/bugsweep" scan --no-color --no-progress "$d" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "FAIL $run: exit $rc, want 2"; failed=$((failed + 1)); }
[ "$(wc -l < "$tmp/err")" = 4 ] || { echo "FAIL $run: stderr:"; cat "$tmp/err"; failed=$((failed + 1)); }
grep -q "6 messages scanned: 2 track the opening, 1 could not be scanned, 3 were empty, not mail or cut short" "$tmp/out" ||
	{ echo "FAIL $run: summary:"; tail -n 4 "$tmp/out"; failed=$((failed + 1)); }

# A good message alone still exits 1 and says nothing on stderr.
ran=$((ran + 1))
"$bugsweep" scan --json "$msg" > /dev/null 2> "$tmp/err"
rc=$?
if [ "$rc" != 1 ] || [ -s "$tmp/err" ]; then
	echo "FAIL good message: exit $rc, stderr:"; cat "$tmp/err"; failed=$((failed + 1))
fi

echo "bad-input: $ran runs, $failed failures"
[ "$failed" = 0 ]
