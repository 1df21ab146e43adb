/* secretguess.c - test helper: an offline attacker trying to recover a short secret from files */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/fs.h"

/*
 * usage: e2e_secretguess LENGTH ALPHABET FILE...
 *
 * Tries every string of LENGTH characters of ALPHABET as the secret, in
 * the forms a tool might feed a hash (the value, its base64, each as JSON
 * text), against what the files hold: SHA-256 of the form, and HMAC-SHA-256
 * of the form keyed with every 32- or 64-digit hex token found in the files
 * (a salt stored beside a hash).  Prints what it recovered and exits 1 if it
 * recovered anything, 0 if not, 2 on a usage or read error.
 */

#define MAX_TOKENS 4096

struct tokens {
	char *hex[MAX_TOKENS];   /* every 64-digit hex token (digests) */
	size_t nhex;
	char *key[MAX_TOKENS];   /* every 32- or 64-digit hex token (salts, keys) */
	size_t nkey;
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(struct tokens *t, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && isxdigit((unsigned char)s[j]))
			j++;
		if ((j - i == 32 || j - i == 64) && t->nkey < MAX_TOKENS) {
			char *tok = strndup(s + i, j - i), *p;

			for (p = tok; p && *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (tok && j - i == 64 && t->nhex < MAX_TOKENS)
				t->hex[t->nhex++] = strdup(tok);
			if (tok)
				t->key[t->nkey++] = tok;
		}
		i = j + 1;
	}
}

static int known(const struct tokens *t, const char *hex)
{
	const char *k = hex;

	return bsearch(&k, t->hex, t->nhex, sizeof(char *), cmp) != NULL;
}

/* 1 if a digest of `form` is among the tokens (reported). */
static int try_form(const struct tokens *t, const char *cand, const char *form)
{
	char out[65];
	size_t k;

	if (ikc_sha256_hex(out, form, strlen(form)) == 0 && known(t, out)) {
		printf("recovered %s: sha256(%s) is in the files\n", cand, form);
		return 1;
	}
	for (k = 0; k < t->nkey; k++)
		if (ikc_hmac_sha256_hex(out, t->key[k], strlen(t->key[k]), form,
					strlen(form)) == 0 && known(t, out)) {
			printf("recovered %s: hmac-sha256(%s, %s) is in the files\n",
			       cand, t->key[k], form);
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	struct tokens t;
	size_t len, nalpha, total = 1, c, i;
	const char *alpha;
	int found = 0, f;

	if (argc < 4 || atoi(argv[1]) < 1 || atoi(argv[1]) > 4) {
		fprintf(stderr, "usage: %s LENGTH(1-4) ALPHABET FILE...\n", argv[0]);
		return 2;
	}
	len = (size_t)atoi(argv[1]);
	alpha = argv[2];
	nalpha = strlen(alpha);
	memset(&t, 0, sizeof(t));
	for (f = 3; f < argc; f++) {
		ikc_buf b = IKC_BUF_INIT((size_t)256 << 20);

		if (ikc_fs_read_file(&b, argv[f], (size_t)256 << 20) < 0) {
			fprintf(stderr, "cannot read %s\n", argv[f]);
			return 2;
		}
		collect(&t, b.ptr ? b.ptr : "", b.len);
		ikc_buf_dispose(&b);
	}
	qsort(t.hex, t.nhex, sizeof(char *), cmp);
	for (i = 0; i < len; i++)
		total *= nalpha;
	for (c = 0; c < total && !found; c++) {
		char cand[8], quoted[16], *b64 = NULL, b64q[32];
		size_t v = c;

		for (i = 0; i < len; i++) {
			cand[i] = alpha[v % nalpha];
			v /= nalpha;
		}
		cand[len] = '\0';
		if (ikc_base64_encode(&b64, cand, len) < 0)
			return 2;
		snprintf(quoted, sizeof(quoted), "\"%s\"", cand);
		snprintf(b64q, sizeof(b64q), "\"%s\"", b64);
		found = try_form(&t, cand, cand) || try_form(&t, cand, quoted) ||
			try_form(&t, cand, b64) || try_form(&t, cand, b64q);
		free(b64);
	}
	printf("%zu candidates, %zu digests and %zu keys in %d files: %s\n", total,
	       t.nhex, t.nkey, argc - 3, found ? "RECOVERED" : "nothing recovered");
	for (i = 0; i < t.nhex; i++)
		free(t.hex[i]);
	for (i = 0; i < t.nkey; i++)
		free(t.key[i]);
	return found;
}
