#!/bin/sh
# The mail delivery configurations of docs/CLEAN.md, run for real: each
# fenced block that follows a "<!-- tested: NAME -->" marker is written
# into a temporary directory (the paths it names replaced by temporary
# ones), a message with trackers from examples/ is delivered through it
# into a temporary Maildir, and the delivered mail must be cleaned (an
# X-Bugsweep header with removed=N, N > 0) and must scan as tracking
# nothing.
#
#   procmail   procmail -m ~/.procmailrc
#   maildrop   maildrop ~/.mailfilter
#   dovecot    dovecot-lda -c dovecot.conf (our delivery-only config plus
#              the documented 90-sieve-extprograms.conf, sieve_before
#              script compiled with sievec, and filter program); as root
#              it runs as nobody, since dovecot-lda as root wants -d and
#              an auth service
#   fetchmail  fetchmail -f .fetchmailrc with --plugin: a POP3 server on
#              stdin/stdout written here serves the message, no socket;
#              its mda is procmail with the procmail block
#
# Never lose a mail: dovecot and fetchmail are also run with a filter
# that cannot run (bugsweep missing); the mail must then be delivered
# byte for byte as it came.
#
# usage: pipe_test.sh BUGSWEEP CLEAN.md MESSAGE
# A configuration whose tools are missing is skipped (said so); exit 77
# (skipped) when none could run, 1 when any that ran failed.
set -u
bugsweep=$1 doc=$2 msg=$3
bugsweep=$(cd "$(dirname "$bugsweep")" && pwd)/$(basename "$bugsweep")
bindir=$(dirname "$bugsweep")
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
ran=0 failed=0

block() { # the fenced block after the marker for $1
	awk -v m="<!-- tested: $1 -->" '
		index($0, m) { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$doc"
}

need_block() { # $1 marker name, $2 file written from it
	[ -s "$2" ] && return 0
	echo "FAIL $1: no block after <!-- tested: $1 --> in $doc"
	failed=$((failed + 1))
	return 1
}

delivered() { # $1 Maildir: the one delivered file
	find "$1/new" "$1/cur" -type f 2>/dev/null | head -n 1
}

check() { # $1 name, $2 Maildir
	f=$(delivered "$2")
	if [ -z "$f" ]; then
		echo "FAIL $1: nothing delivered"; failed=$((failed + 1)); return 1
	fi
	if ! head -n 1 "$f" | grep -q '^X-Bugsweep: bugsweep .*removed=[1-9]'; then
		echo "FAIL $1: not cleaned:"; head -n 3 "$f"; failed=$((failed + 1)); return 1
	fi
	if ! "$bugsweep" scan --no-color --no-progress "$f" >/dev/null; then
		echo "FAIL $1: the delivered mail still tracks"; failed=$((failed + 1)); return 1
	fi
	echo "ok $1: delivered cleaned ($(head -n 1 "$f" | cut -c1-60)...)"
}

check_unchanged() { # $1 name, $2 Maildir: delivered exactly as it came
	f=$(delivered "$2")
	if [ -z "$f" ]; then
		echo "FAIL $1: the filter failed and the mail was lost"
		failed=$((failed + 1)); return 1
	fi
	if ! cmp -s "$msg" "$f"; then
		echo "FAIL $1: the filter failed and the mail was changed:"
		diff "$msg" "$f" | head -n 10; failed=$((failed + 1)); return 1
	fi
	echo "ok $1: filter failed, mail delivered unchanged"
}

maildir() { mkdir -p "$1/cur" "$1/new" "$1/tmp"; }

# procmail: $1 home, $2 PATH for the recipes (bugsweep found or not)
procmailrc() {
	{
		echo "PATH=$2"
		block procmail | sed "s|\$HOME|$1|g"
	} > "$1/.procmailrc"
}

if command -v procmail >/dev/null 2>&1; then
	home=$tmp/procmail
	maildir "$home/Maildir"
	procmailrc "$home" "$bindir:/usr/bin:/bin"
	if need_block procmail "$home/.procmailrc"; then
		HOME=$home procmail -m "$home/.procmailrc" < "$msg"
		echo "procmail exit $?"
		check procmail "$home/Maildir"
	fi
	ran=$((ran + 1))
else
	echo "skip procmail: not installed"
fi

if command -v maildrop >/dev/null 2>&1; then
	home=$tmp/maildrop
	maildir "$home/Maildir"
	{
		echo "PATH=\"$bindir:/usr/bin:/bin\""
		block maildrop | sed "s|\$HOME|$home|g"
	} > "$home/.mailfilter"
	if need_block maildrop "$home/.mailfilter"; then
		chmod 600 "$home/.mailfilter"
		HOME=$home maildrop "$home/.mailfilter" < "$msg"
		echo "maildrop exit $?"
		check maildrop "$home/Maildir"
	fi
	ran=$((ran + 1))
else
	echo "skip maildrop: not installed"
fi

# Dovecot: dovecot-lda with a config of its own in $1 (no daemon, no
# socket, nothing outside $1). $2: the bugsweep the filter program names.
lda=/usr/lib/dovecot/dovecot-lda
extprograms=/usr/lib/dovecot/modules/sieve/lib90_sieve_extprograms_plugin.so
dovecot() {
	d=$1
	mkdir -p "$d/run" "$d/home" "$d/sieve" "$d/sieve-filter" "$d/bin"
	maildir "$d/home/Maildir"
	cp "$bugsweep" "$d/bin/bugsweep" # reachable by nobody wherever the build is
	subst="s|/usr/lib/dovecot/sieve-filter|$d/sieve-filter|g
	       s|/etc/dovecot/sieve|$d/sieve|g
	       s|/usr/local/bin/bugsweep|$2|g"
	block dovecot-conf | sed "$subst" > "$d/90-sieve-extprograms.conf"
	block dovecot-program | sed "$subst" > "$d/sieve-filter/bugsweep-clean"
	block dovecot-sieve | sed "$subst" > "$d/sieve/bugsweep.sieve"
	need_block dovecot-conf "$d/90-sieve-extprograms.conf" || return 1
	need_block dovecot-program "$d/sieve-filter/bugsweep-clean" || return 1
	need_block dovecot-sieve "$d/sieve/bugsweep.sieve" || return 1
	chmod 755 "$d/sieve-filter/bugsweep-clean"
	cat > "$d/dovecot.conf" <<-EOF
		# delivery only, everything in $d
		protocols =
		ssl = no
		base_dir = $d/run
		state_dir = $d/run
		log_path = $d/log
		info_log_path = $d/log
		mail_location = maildir:$d/home/Maildir
		protocol lda {
		  mail_plugins = \$mail_plugins sieve
		}
		!include $d/90-sieve-extprograms.conf
	EOF
	# The administrator compiles the global script (docs/CLEAN.md).
	sievec -c "$d/dovecot.conf" "$d/sieve/bugsweep.sieve" ||
		{ echo "FAIL dovecot: sievec"; cat "$d/log" 2>/dev/null; failed=$((failed + 1)); return 1; }
	if [ "$(id -u)" -eq 0 ]; then
		chmod 755 "$tmp"
		chown -R nobody "$d"
		HOME=$d/home setpriv --reuid=nobody --regid="$(id -g nobody)" \
			--clear-groups "$lda" -c "$d/dovecot.conf" < "$msg"
	else
		HOME=$d/home "$lda" -c "$d/dovecot.conf" < "$msg"
	fi
	echo "dovecot-lda exit $?"
}

if [ ! -x $lda ] || ! command -v sievec >/dev/null 2>&1; then
	echo "skip dovecot: dovecot-lda or sievec not installed (dovecot-core, dovecot-sieve)"
elif [ ! -f $extprograms ]; then
	echo "skip dovecot: no sieve_extprograms plugin ($extprograms)"
elif [ "$(id -u)" -eq 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	echo "skip dovecot: running as root and no setpriv to run dovecot-lda as nobody"
else
	d=$tmp/dovecot
	if dovecot "$d" "$d/bin/bugsweep"; then
		check dovecot "$d/home/Maildir" || tail -n 5 "$d/log"
	fi
	d=$tmp/dovecot-fail
	if dovecot "$d" "$d/nonexistent/bugsweep"; then
		check_unchanged dovecot-fail "$d/home/Maildir" || tail -n 5 "$d/log"
	fi
	ran=$((ran + 1))
fi

# fetchmail: polls pop.example.org through --plugin, a POP3 server on
# stdin/stdout that serves $msg once and logs the commands it got.
cat > "$tmp/pop3.py" <<'EOF'
import sys
msg = open(sys.argv[1], 'rb').read()
log = open(sys.argv[2], 'a')
lines = msg.replace(b'\r\n', b'\n').split(b'\n')
if lines and lines[-1] == b'':
    lines.pop()
size = sum(len(l) + 2 for l in lines)
gone = False


def out(s):
    sys.stdout.buffer.write(s + b'\r\n')


def body(ls):
    for l in ls:
        out(b'.' + l if l.startswith(b'.') else l)
    out(b'.')


out(b'+OK pop3.py ready')
sys.stdout.flush()
for raw in sys.stdin.buffer:
    words = raw.rstrip(b'\r\n').decode('ascii', 'replace').split(' ')
    verb, args = words[0].upper(), words[1:]
    log.write((verb if verb == 'PASS' else ' '.join(words)) + '\n')
    log.flush()
    one = not gone and args[:1] == ['1']
    if verb in ('USER', 'PASS', 'NOOP'):
        out(b'+OK')
    elif verb == 'CAPA':
        out(b'+OK'); out(b'USER'); out(b'TOP'); out(b'UIDL'); out(b'.')
    elif verb == 'STAT':
        out(b'+OK 0 0' if gone else b'+OK 1 %d' % size)
    elif verb in ('LIST', 'UIDL') and not args:
        out(b'+OK')
        if not gone:
            out(b'1 %d' % size if verb == 'LIST' else b'1 bugsweep-1')
        out(b'.')
    elif verb in ('LIST', 'UIDL') and one:
        out(b'+OK 1 %d' % size if verb == 'LIST' else b'+OK 1 bugsweep-1')
    elif verb == 'RETR' and one:
        out(b'+OK %d octets' % size); body(lines)
    elif verb == 'TOP' and one and len(args) == 2 and args[1].isdigit():
        h = lines.index(b'') if b'' in lines else len(lines)
        out(b'+OK'); body(lines[:h + 1 + int(args[1])])
    elif verb == 'DELE' and one:
        gone = True; out(b'+OK')
    elif verb == 'QUIT':
        out(b'+OK bye'); sys.stdout.flush(); break
    else:
        out(b'-ERR not here')
    sys.stdout.flush()
EOF

# $1 dir, $2 PATH for the procmail recipes
fetchmail_run() {
	home=$1/home
	maildir "$home/Maildir"
	procmailrc "$home" "$2"
	need_block procmail "$home/.procmailrc" || return 1
	block fetchmail | sed "s|\$HOME|$home|g" > "$1/poll"
	need_block fetchmail "$1/poll" || return 1
	# "no dns": pop.example.org does not resolve (and is never connected to).
	{ echo "defaults no dns"; cat "$1/poll"; } > "$home/.fetchmailrc"
	chmod 600 "$home/.fetchmailrc"
	cp "$msg" "$1/message" # the plugin line is split at blanks, no quoting
	# --sslproto '': no STLS (fetchmail would try it and give up);
	# --invisible: no Received field, so that the unchanged mail compares.
	HOME=$home FETCHMAILHOME=$home fetchmail -f "$home/.fetchmailrc" \
		--nodetach --nosyslog --idfile "$1/fetchids" --pidfile "$1/pid" \
		--sslproto '' --invisible \
		--plugin "python3 $tmp/pop3.py $1/message $1/pop3.log" \
		> "$1/out" 2>&1
	echo "fetchmail exit $?"
	grep -v 'Running as root is discouraged' "$1/out"
	echo "fetchmail: POP3 commands: $(tr '\n' ' ' < "$1/pop3.log" 2>/dev/null)"
	if ! grep -q '^DELE 1$' "$1/pop3.log" 2>/dev/null; then
		echo "FAIL $3: fetchmail did not delete the message it fetched"
		failed=$((failed + 1)); return 1
	fi
}

if ! command -v fetchmail >/dev/null 2>&1; then
	echo "skip fetchmail: not installed"
elif ! command -v procmail >/dev/null 2>&1; then
	echo "skip fetchmail: its mda is procmail, not installed"
elif ! command -v python3 >/dev/null 2>&1; then
	echo "skip fetchmail: no python3 for the POP3 server"
else
	if fetchmail_run "$tmp/fetchmail" "$bindir:/usr/bin:/bin" fetchmail; then
		check fetchmail "$tmp/fetchmail/home/Maildir"
	fi
	# No bugsweep on the PATH at all: the recipe fails (127).
	if fetchmail_run "$tmp/fetchmail-fail" "$tmp/nonexistent" fetchmail-fail; then
		check_unchanged fetchmail-fail "$tmp/fetchmail-fail/home/Maildir"
	fi
	ran=$((ran + 1))
fi

[ $ran -eq 0 ] && { echo "no mail delivery agent installed"; exit 77; }
echo "clean-pipe: $ran configurations run, $failed checks failed"
[ $failed -eq 0 ]
