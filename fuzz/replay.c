/*
 * replay.c - a main() for the fuzz targets when libFuzzer is not linked
 * in: runs LLVMFuzzerTestOneInput once over every file named, and over
 * every file of every directory named (not recursively, names starting
 * with '.' skipped, in byte-wise order), as SQLite's fuzzcheck does. A
 * directory that does not exist holds no input (git keeps no empty
 * directories). A crash or broken invariant aborts; otherwise the exit
 * status is 0 and the count of inputs is printed.
 *
 * usage: fuzz_TARGET FILE_OR_DIR...
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long replayed;

/* Run one file; the buffer is exactly its size, so ASan sees overreads. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;
	int rc = 1;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc(size ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto out;
	if (getenv("FUZZ_REPLAY_VERBOSE"))
		fprintf(stderr, "%s\n", path);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	replayed++;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "%s: cannot read\n", path);
	free(buf);
	fclose(f);
	return rc;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : 1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **v;

			cap = cap ? cap * 2 : 64;
			v = realloc(names, cap * sizeof(*v));
			if (v == NULL) {
				rc = 1;
				break;
			}
			names = v;
		}
		names[n] = malloc(strlen(de->d_name) + 1);
		if (names[n] == NULL) {
			rc = 1;
			break;
		}
		memcpy(names[n], de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		        (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = run_file(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int rc = stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)
		             ? run_file(argv[i])
		             : run_dir(argv[i]);

		if (rc)
			return 1;
	}
	printf("%s: %lu inputs replayed\n", argv[0], replayed);
	return 0;
}
