#include "bugsweep/error.h"

const char *bs_strerror(int err)
{
	switch (err) {
	case BS_OK:
		return "success";
	case BS_ENOMEM:
		return "out of memory";
	case BS_EINVAL:
		return "invalid argument";
	case BS_ELIMIT:
		return "limit reached";
	case BS_EIO:
		return "input/output error";
	case BS_EPARSE:
		return "cannot parse input";
	case BS_EABORT:
		return "stopped by callback";
	case BS_ENOTFOUND:
		return "not found";
	}
	return "unknown error";
}
