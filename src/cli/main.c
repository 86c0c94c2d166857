/* bugsweep - command dispatch. Each command lives in its own file. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: bugsweep COMMAND [OPTION]... [ARG]...\n"
	      "\n"
	      "commands:\n"
	      "  version    print the version\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("bugsweep %s\n", BUGSWEEP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "bugsweep: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
