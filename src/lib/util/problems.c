#include "bugsweep/problems.h"

#include <stdio.h>
#include <string.h>

void bs_problems_init(struct bs_problems *p)
{
	memset(p, 0, sizeof(*p));
}

static void format(char out[BS_PROBLEM_LEN], const char *kind, const char *what)
{
	snprintf(out, BS_PROBLEM_LEN, "%s:%s", kind, what);
}

int bs_problems_has(const struct bs_problems *p, const char *kind,
                    const char *what)
{
	char s[BS_PROBLEM_LEN];
	size_t i;

	format(s, kind, what);
	for (i = 0; i < p->count; i++)
		if (strcmp(p->item[i], s) == 0)
			return 1;
	return 0;
}

void bs_problems_add(struct bs_problems *p, const char *kind, const char *what)
{
	if (p == NULL || bs_problems_has(p, kind, what))
		return;
	if (p->count == BS_PROBLEMS_MAX) {
		p->dropped++;
		return;
	}
	format(p->item[p->count++], kind, what);
}
