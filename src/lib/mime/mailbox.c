/*
 * mailbox.c - files, directories, mbox and stdin as a stream of messages.
 *
 * An mbox is read through one 64 KB buffer, line by line; a message is
 * collected into its own buffer until the next separator, and dropped (but
 * still skipped over correctly) once it passes limits.message_bytes. A
 * directory is read whole and sorted before descending, one frame per
 * level, iteratively (no recursion, depth bounded by limits.mailbox_depth).
 */
#include "mime/mailbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

#define RD_BUF  (64u * 1024)
#define RD_LOOK 1024 /* bytes seen at a line start to classify it */

struct dframe {
	char *path;
	char **names;
	size_t n;
	size_t i;
	bool maildir;
};

struct msgbuf {
	char *p;
	size_t len;
	size_t cap;
	size_t seen;
	bool too_big;
};

struct mime_reader {
	struct bs_limits lim;
	char *root;
	bool started;
	struct dframe *dirs;
	size_t ndirs;
	size_t capdirs;

	/* the open file, when it is an mbox */
	int fd;
	bool own_fd;
	bool mbox;
	char *fpath;
	char *buf;
	size_t pos;
	size_t end;
	bool eof;
	int rd_errno;
	unsigned long long foff; /* file offset of buf[0] */
	bool in_line;            /* in the middle of a line */
	bool skip_line;          /* ... of a "From " line being dropped */
	bool prev_blank;
	bool have_msg;
	unsigned long long msg_off;
	unsigned nmsgs;
	struct msgbuf msg;
};

/* ---- inputs ---- */

void mime_input_free(struct mime_input **inp)
{
	struct mime_input *in;

	if (inp == NULL || *inp == NULL)
		return;
	in = *inp;
	bs_free(in->bytes);
	bs_free((char *)(uintptr_t)in->path);
	bs_free((char *)(uintptr_t)in->source);
	bs_free(in);
	*inp = NULL;
}

static int new_input(struct mime_input **out, const char *path, bool in_mbox,
                     bool several, unsigned long long off)
{
	struct mime_input *in;
	char num[32];
	size_t n = strlen(path);
	int k;

	in = bs_calloc(1, sizeof(*in));
	if (in == NULL)
		return BS_ENOMEM;
	in->path = bs_strndup(path, n);
	in->offset = off;
	in->in_mbox = in_mbox;
	if (several) {
		k = snprintf(num, sizeof(num), ":%llu", off);
		in->source = bs_malloc(n + (size_t)k + 1);
		if (in->source) {
			memcpy((char *)(uintptr_t)in->source, path, n);
			memcpy((char *)(uintptr_t)in->source + n, num,
			       (size_t)k + 1);
		}
	} else {
		in->source = bs_strndup(path, n);
	}
	if (in->path == NULL || in->source == NULL) {
		mime_input_free(&in);
		return BS_ENOMEM;
	}
	*out = in;
	return 0;
}

static int status_input(struct mime_input **out, const char *path, int status,
                        int err, const char *problem, size_t seen)
{
	int rc = new_input(out, path, false, false, 0);

	if (rc)
		return rc;
	(*out)->status = status;
	(*out)->sys_errno = err;
	(*out)->problem = problem;
	(*out)->len = seen;
	return 0;
}

/* ---- reading ---- */

static void close_file(struct mime_reader *r)
{
	if (r->fd >= 0 && r->own_fd)
		close(r->fd);
	r->fd = -1;
	r->mbox = false;
	bs_free(r->fpath);
	r->fpath = NULL;
	bs_free(r->msg.p);
	memset(&r->msg, 0, sizeof(r->msg));
}

/* Move unread bytes to the front and read more. 0 at EOF or error. */
static size_t refill(struct mime_reader *r)
{
	ssize_t k;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->foff += r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	for (;;) {
		k = read(r->fd, r->buf + r->end, RD_BUF - r->end);
		if (k < 0 && errno == EINTR)
			continue;
		break;
	}
	if (k <= 0) {
		if (k < 0)
			r->rd_errno = errno;
		r->eof = true;
		return 0;
	}
	r->end += (size_t)k;
	return (size_t)k;
}

static void msg_append(struct mime_reader *r, const char *s, size_t n)
{
	struct msgbuf *m = &r->msg;
	size_t cap;
	char *p;

	m->seen += n;
	if (m->too_big || n == 0)
		return;
	if (n > r->lim.message_bytes - m->len) {
		/* Past the cap: forget it, keep skipping to its end. */
		m->too_big = true;
		bs_free(m->p);
		m->p = NULL;
		m->len = m->cap = 0;
		return;
	}
	if (m->len + n > m->cap) {
		cap = m->cap ? m->cap : 4096;
		while (cap < m->len + n)
			cap *= 2;
		if (cap > r->lim.message_bytes)
			cap = r->lim.message_bytes;
		p = bs_realloc(m->p, cap + 1);
		if (p == NULL) {
			m->too_big = true; /* reported as ENOMEM below */
			bs_free(m->p);
			m->p = NULL;
			m->len = m->cap = (size_t)-1;
			return;
		}
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, s, n);
	m->len += n;
}

/* Hand out the collected message; more: another one follows. */
static int emit(struct mime_reader *r, struct mime_input **out, bool more)
{
	struct msgbuf *m = &r->msg;
	bool several = more || r->nmsgs > 0;
	int rc;

	if (m->len == (size_t)-1) {
		memset(m, 0, sizeof(*m));
		return BS_ENOMEM;
	}
	rc = new_input(out, r->fpath, true, several, r->msg_off);
	if (rc)
		return rc;
	r->nmsgs++;
	if (m->too_big) {
		(*out)->status = BS_ELIMIT;
		(*out)->problem = "limit:message-bytes";
		(*out)->len = m->seen;
		bs_free(m->p);
	} else {
		/* The blank line before the next "From " is the mbox's. */
		if (m->len >= 2 && m->p[m->len - 1] == '\n' &&
		    m->p[m->len - 2] == '\n')
			m->len--;
		else if (m->len >= 4 &&
		         memcmp(m->p + m->len - 4, "\r\n\r\n", 4) == 0)
			m->len -= 2;
		if (m->p == NULL)
			m->p = bs_malloc(1);
		if (m->p == NULL) {
			mime_input_free(out);
			return BS_ENOMEM;
		}
		m->p[m->len] = '\0';
		(*out)->bytes = m->p;
		(*out)->len = m->len;
	}
	memset(m, 0, sizeof(*m));
	r->have_msg = false;
	return 0;
}

static bool is_from_escape(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '>')
		i++;
	return i > 0 && n - i >= 5 && memcmp(s + i, "From ", 5) == 0;
}

static int mbox_next(struct mime_reader *r, struct mime_input **out)
{
	const char *nl;
	size_t avail, flen;
	bool from;

	*out = NULL;
	for (;;) {
		if (!r->in_line && r->end - r->pos < RD_LOOK && !r->eof) {
			refill(r);
			continue;
		}
		if (r->pos == r->end) {
			if (!r->eof) {
				refill(r);
				continue;
			}
			return r->have_msg ? emit(r, out, false) : 0;
		}
		avail = r->end - r->pos;
		nl = memchr(r->buf + r->pos, '\n', avail);
		flen = nl ? (size_t)(nl - (r->buf + r->pos)) + 1 : avail;
		if (!r->in_line && !r->skip_line) {
			from = avail >= 5 &&
			       memcmp(r->buf + r->pos, "From ", 5) == 0 &&
			       (r->prev_blank || r->foff + r->pos == 0);
			if (from && r->have_msg)
				return emit(r, out, true);
			if (from) {
				r->have_msg = true;
				r->msg_off = r->foff + r->pos;
				r->skip_line = true;
			} else {
				if (!r->have_msg) {
					/* Text before any "From ": a message
					 * of its own. */
					r->have_msg = true;
					r->msg_off = r->foff + r->pos;
				}
				if (is_from_escape(r->buf + r->pos, avail)) {
					r->pos++;
					flen--;
				}
			}
		}
		if (!r->skip_line)
			msg_append(r, r->buf + r->pos, flen);
		if (nl) {
			r->prev_blank = !r->in_line && !r->skip_line &&
			                (flen == 1 ||
			                 (flen == 2 && r->buf[r->pos] == '\r'));
			r->in_line = false;
			r->skip_line = false;
		} else {
			r->in_line = true;
			r->prev_blank = false;
		}
		r->pos += flen;
	}
}

/* A whole non-mbox file (or stream) as one message, up to the cap. */
static int read_single(struct mime_reader *r, const char *path,
                       struct mime_input **out)
{
	struct msgbuf *m = &r->msg;
	int rc;

	memset(m, 0, sizeof(*m));
	for (;;) {
		msg_append(r, r->buf + r->pos, r->end - r->pos);
		r->pos = r->end;
		if (m->too_big || r->eof)
			break;
		if (refill(r) == 0)
			break;
	}
	if (r->rd_errno) {
		rc =
		    status_input(out, path, BS_EIO, r->rd_errno, NULL, m->seen);
		goto out;
	}
	if (m->len == (size_t)-1) {
		rc = BS_ENOMEM;
		goto out;
	}
	if (m->too_big) {
		rc = status_input(out, path, BS_ELIMIT, 0,
		                  "limit:message-bytes", m->seen);
		goto out;
	}
	rc = new_input(out, path, false, false, 0);
	if (rc)
		goto out;
	if (m->p == NULL)
		m->p = bs_malloc(1);
	if (m->p == NULL) {
		mime_input_free(out);
		rc = BS_ENOMEM;
		goto out;
	}
	m->p[m->len] = '\0';
	(*out)->bytes = m->p;
	(*out)->len = m->len;
	m->p = NULL;
out:
	bs_free(m->p);
	memset(m, 0, sizeof(*m));
	return rc;
}

/* Start reading fd: an mbox stays open for the next calls. */
static int open_stream(struct mime_reader *r, const char *path, int fd,
                       bool own, const struct stat *st, struct mime_input **out)
{
	int rc;

	r->fd = fd;
	r->own_fd = own;
	r->pos = r->end = 0;
	r->foff = 0;
	r->eof = false;
	r->rd_errno = 0;
	r->in_line = r->skip_line = r->prev_blank = r->have_msg = false;
	r->nmsgs = 0;
	r->fpath = bs_strndup(path, strlen(path));
	if (r->fpath == NULL) {
		close_file(r);
		return BS_ENOMEM;
	}
	while (r->end < 5 && refill(r) > 0)
		;
	if (r->end >= 5 && memcmp(r->buf, "From ", 5) == 0) {
		r->mbox = true;
		rc = mbox_next(r, out);
		if (rc || *out == NULL)
			close_file(r);
		return rc;
	}
	if (st && S_ISREG(st->st_mode) &&
	    (unsigned long long)st->st_size > r->lim.message_bytes) {
		rc = status_input(out, path, BS_ELIMIT, 0,
		                  "limit:message-bytes", (size_t)st->st_size);
	} else if (r->rd_errno) {
		rc = status_input(out, path, BS_EIO, r->rd_errno, NULL, 0);
	} else {
		rc = read_single(r, path, out);
	}
	close_file(r);
	return rc;
}

/* ---- directories ---- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_frame(struct dframe *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		bs_free(f->names[i]);
	bs_free(f->names);
	bs_free(f->path);
}

static int push_dir(struct mime_reader *r, const char *path,
                    struct mime_input **out)
{
	struct dframe f = {0};
	struct dirent *de;
	size_t cap = 0, i;
	char **v;
	DIR *d;
	int rc = 0;

	d = opendir(path);
	if (d == NULL)
		return status_input(out, path, BS_EIO, errno, NULL, 0);
	f.path = bs_strndup(path, strlen(path));
	if (f.path == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (f.n == cap) {
			cap = cap ? cap * 2 : 32;
			v = bs_realloc(f.names, cap * sizeof(*v));
			if (v == NULL) {
				rc = BS_ENOMEM;
				goto out;
			}
			f.names = v;
		}
		f.names[f.n] = bs_strndup(de->d_name, strlen(de->d_name));
		if (f.names[f.n] == NULL) {
			rc = BS_ENOMEM;
			goto out;
		}
		f.n++;
	}
	if (f.n)
		qsort(f.names, f.n, sizeof(*f.names), cmp_names);
	for (i = 0; i < f.n; i++)
		if (strcmp(f.names[i], "cur") == 0 ||
		    strcmp(f.names[i], "new") == 0)
			f.maildir = true;
	if (r->ndirs == r->capdirs) {
		cap = r->capdirs ? r->capdirs * 2 : 8;
		struct dframe *nd = bs_realloc(r->dirs, cap * sizeof(*nd));

		if (nd == NULL) {
			rc = BS_ENOMEM;
			goto out;
		}
		r->dirs = nd;
		r->capdirs = cap;
	}
	r->dirs[r->ndirs++] = f;
	memset(&f, 0, sizeof(f));
out:
	closedir(d);
	free_frame(&f);
	return rc;
}

/* Deal with one path: may push a directory, open a file, or report. */
static int handle_path(struct mime_reader *r, const char *path, bool root,
                       struct mime_input **out)
{
	struct stat st;
	int fd;

	*out = NULL;
	if (root && strcmp(path, "-") == 0)
		return open_stream(r, path, STDIN_FILENO, false, NULL, out);
	if ((root ? stat(path, &st) : lstat(path, &st)) != 0)
		return status_input(out, path, BS_EIO, errno, NULL, 0);
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st) != 0)
			return status_input(out, path, BS_EIO, errno, NULL, 0);
		if (!S_ISREG(st.st_mode))
			return 0; /* links to directories: no loops */
	}
	if (S_ISDIR(st.st_mode)) {
		if (r->ndirs >= r->lim.mailbox_depth)
			return status_input(out, path, BS_ELIMIT, 0,
			                    "limit:mailbox-depth", 0);
		return push_dir(r, path, out);
	}
	if (!S_ISREG(st.st_mode) && !root)
		return 0; /* fifos, sockets, devices inside a tree */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return status_input(out, path, BS_EIO, errno, NULL, 0);
	return open_stream(r, path, fd, true, &st, out);
}

/* ---- public ---- */

int mime_reader_open(struct mime_reader **out, const char *path,
                     const struct bs_limits *lim)
{
	struct mime_reader *r;
	struct stat st;

	if (out == NULL || path == NULL)
		return BS_EINVAL;
	*out = NULL;
	if (strcmp(path, "-") != 0 && stat(path, &st) != 0)
		return BS_EIO;
	r = bs_calloc(1, sizeof(*r));
	if (r == NULL)
		return BS_ENOMEM;
	r->fd = -1;
	if (lim)
		r->lim = *lim;
	else
		bs_limits_default(&r->lim);
	bs_limits_normalise(&r->lim);
	r->root = bs_strndup(path, strlen(path));
	r->buf = bs_malloc(RD_BUF);
	if (r->root == NULL || r->buf == NULL) {
		mime_reader_free(&r);
		return BS_ENOMEM;
	}
	*out = r;
	return 0;
}

int mime_reader_next(struct mime_reader *r, struct mime_input **out)
{
	struct dframe *f;
	size_t n, k;
	char *child;
	int rc;

	*out = NULL;
	for (;;) {
		if (r->mbox) {
			rc = mbox_next(r, out);
			if (rc || *out)
				return rc;
			if (r->rd_errno)
				rc = status_input(out, r->fpath, BS_EIO,
				                  r->rd_errno, NULL, 0);
			close_file(r);
			if (rc || *out)
				return rc;
			continue;
		}
		if (!r->started) {
			r->started = true;
			rc = handle_path(r, r->root, true, out);
			if (rc || *out)
				return rc;
			continue;
		}
		if (r->ndirs == 0)
			return 0;
		f = &r->dirs[r->ndirs - 1];
		if (f->i == f->n) {
			free_frame(f);
			r->ndirs--;
			continue;
		}
		k = f->i++;
		if (f->maildir && strcmp(f->names[k], "tmp") == 0)
			continue;
		n = strlen(f->path) + 1 + strlen(f->names[k]) + 1;
		child = bs_malloc(n);
		if (child == NULL)
			return BS_ENOMEM;
		snprintf(child, n, "%s%s%s", f->path,
		         f->path[strlen(f->path) - 1] == '/' ? "" : "/",
		         f->names[k]);
		rc = handle_path(r, child, false, out);
		bs_free(child);
		if (rc || *out)
			return rc;
	}
}

void mime_reader_free(struct mime_reader **rp)
{
	struct mime_reader *r;

	if (rp == NULL || *rp == NULL)
		return;
	r = *rp;
	close_file(r);
	while (r->ndirs > 0)
		free_frame(&r->dirs[--r->ndirs]);
	bs_free(r->dirs);
	bs_free(r->buf);
	bs_free(r->root);
	bs_free(r);
	*rp = NULL;
}
