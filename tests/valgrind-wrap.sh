#!/bin/sh
# The exe_wrapper of the 'valgrind' test setup (meson.build).
#
# A compiled test runs under memcheck. A script test (tools/golden, which
# runs `bugsweep scan`) runs as it is, and every compiled program it is
# given as an argument runs under memcheck instead: the interpreter is not
# what we check, bugsweep is. Memcheck's verdict is its exit status 99.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vg="valgrind --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --track-origins=yes --quiet
    --suppressions=$here/valgrind.supp"

is_elf() {
	[ -f "$1" ] && [ -x "$1" ] &&
		[ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
}

if is_elf "$1"; then
	# shellcheck disable=SC2086
	exec $vg "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bugsweep-vg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=$#
i=0
for a do
	i=$((i + 1))
	if [ "$i" -gt 1 ] && is_elf "$a"; then
		shim="$tmp/$i-$(basename "$a")"
		printf '#!/bin/sh\nexec %s %s "$@"\n' \
			"$(echo $vg)" "$(cd "$(dirname "$a")" && pwd)/$(basename "$a")" \
			>"$shim"
		chmod +x "$shim"
		a=$shim
	fi
	set -- "$@" "$a"
done
shift "$n"
"$@"
