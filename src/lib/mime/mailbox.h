/*
 * mailbox.h - messages out of the places mail is kept: a message file, a
 * directory tree (Maildir or not), an mbox file, or standard input.
 *
 * What it does
 *   - A regular file whose first line starts with "From " is an mbox;
 *     anything else is one message.
 *   - An mbox is split at lines that start with "From " and follow a blank
 *     line (or begin the file), as mboxrd/mboxo readers do. Content-Length
 *     is never trusted. Lines ">From ", ">>From " ... lose one '>' (mboxrd).
 *     The blank line before the next "From " belongs to the mbox, not the
 *     message. Each message carries the byte offset of its "From " line.
 *   - A directory is walked recursively in byte-wise sorted order (stable
 *     across runs); names starting with '.' are skipped, and so is tmp/ in a
 *     directory that also holds cur/ or new/ (a Maildir: tmp/ holds mail
 *     being delivered). Symbolic links to files are followed, to
 *     directories not (no loops). Every file found is a message or an mbox.
 *   - "-" reads standard input (a message, or an mbox).
 *
 * What it won't do: MH sequences, mbox locking, MMDF, Babyl, compressed
 * files, or a message larger than limits.message_bytes: that one comes back
 * with status BS_ELIMIT and no bytes, and is never held in memory beyond
 * the cap (an mbox is read in 64 KB pieces).
 *
 * Limits: message_bytes (one message), mailbox_depth (directory nesting;
 * deeper directories are skipped with status BS_ELIMIT).
 *
 * Threads: a reader is used by one thread; the inputs it hands out are
 * independent of it and of each other (give each to a worker and free it
 * there).
 */
#ifndef BS_MIME_MAILBOX_H
#define BS_MIME_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"

struct mime_input {
	/*
	 * 0, or BS_ELIMIT (the message, or a directory, is past a limit:
	 * bytes is NULL, problem names it), or BS_EIO (could not be read;
	 * sys_errno says why; bytes is NULL).
	 */
	int status;
	int sys_errno;
	const char *problem; /* "limit:message-bytes" ..., NULL when fine */
	char *bytes;         /* the message (mboxrd-unescaped); bs_free */
	size_t len;          /* its length (for BS_ELIMIT: bytes seen) */
	const char *path;    /* the file it came from ("-" for stdin) */
	unsigned long long offset; /* of its "From " line in an mbox, else 0 */
	bool in_mbox;
	/* What a report calls it: path, or "path:offset" for one message of
	 * an mbox that holds several. */
	const char *source;
};

struct mime_reader;

/*
 * Open path ("-" for standard input). lim may be NULL for the defaults.
 * Returns BS_EIO (errno set) when path cannot be found at all.
 */
BS_WARN_UNUSED int mime_reader_open(struct mime_reader **out, const char *path,
                                    const struct bs_limits *lim);

/*
 * The next message, or *out == NULL at the end. Returns BS_ENOMEM only;
 * unreadable files and messages past a limit come back as inputs with a
 * status, so that the caller can report them and go on.
 */
BS_WARN_UNUSED int mime_reader_next(struct mime_reader *r,
                                    struct mime_input **out);

void mime_input_free(struct mime_input **in);
void mime_reader_free(struct mime_reader **r);

#endif
