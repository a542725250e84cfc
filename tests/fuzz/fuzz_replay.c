/*
 * The replay driver of every fuzz target: without libFuzzer (a gcc build),
 * each target is linked with this file, which runs every file of the
 * folders it is given (and every prefix of each: truncated input is the
 * commonest breakage) through LLVMFuzzerTestOneInput, so the seed corpus is
 * exercised in every build and under the sanitizers.  Prints TAP.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long len;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return 0;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	/* Every prefix too: truncated files are the commonest breakage. */
	for (long cut = 0; cut < len; cut += len / 64 + 1)
		LLVMFuzzerTestOneInput(buf, (size_t)cut);
	free(buf);
	return 1;
}

int main(int argc, char **argv)
{
	int files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		if (stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			files += replay_file(argv[i]);
			continue;
		}
		if (!(d = opendir(argv[i])))
			continue;
		while ((e = readdir(d))) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			files += replay_file(path);
		}
		closedir(d);
	}
	printf("1..1\n%s 1 - replayed %d corpus files without a finding\n", files > 0 ? "ok" : "not ok",
	       files);
	return files > 0 ? 0 : 1;
}
