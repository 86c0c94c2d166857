/*
 * bugsweep/error.h - error codes shared by every module.
 *
 * Functions that can fail return int: 0 on success, a negative BS_E* code
 * otherwise. Bad input is never an error of this kind unless the caller
 * cannot go on: a parser that meets malformed mail degrades and records a
 * problem (see bugsweep/problems.h) instead.
 */
#ifndef BUGSWEEP_ERROR_H
#define BUGSWEEP_ERROR_H

enum bs_error {
	BS_OK = 0,
	BS_ENOMEM = -1,    /* an allocation failed */
	BS_EINVAL = -2,    /* caller passed an invalid argument */
	BS_ELIMIT = -3,    /* a configured limit stopped the operation */
	BS_EIO = -4,       /* reading or writing a file failed (errno is set) */
	BS_EPARSE = -5,    /* input could not be parsed at all */
	BS_EABORT = -6,    /* a callback asked to stop */
	BS_ENOTFOUND = -7, /* a looked-up item does not exist */
};

/* A short, static, lower-case description of an error code. */
const char *bs_strerror(int err);

#if defined(__GNUC__)
#define BS_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define BS_WARN_UNUSED
#endif

#endif
