/* log.c - leveled logging with secret redaction */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define REDACTED "[REDACTED]"
#define MAX_SECRETS 64

static ikc_log_level cur_level = IKC_LOG_WARN;
static ikc_log_sink cur_sink;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void ikc_log_init_from_env(void)
{
	const char *v = getenv("IKC_LOG");

	if (!v)
		return;
	if (!strcmp(v, "debug"))
		cur_level = IKC_LOG_DEBUG;
	else if (!strcmp(v, "info"))
		cur_level = IKC_LOG_INFO;
	else if (!strcmp(v, "warn"))
		cur_level = IKC_LOG_WARN;
	else if (!strcmp(v, "error"))
		cur_level = IKC_LOG_ERROR;
}

void ikc_log_set_level(ikc_log_level level)
{
	cur_level = level;
}

void ikc_log_set_sink(ikc_log_sink sink)
{
	cur_sink = sink;
}

int ikc_log_enabled(ikc_log_level level)
{
	return level <= cur_level;
}

void ikc_redact_register(const char *secret)
{
	size_t i;

	if (!secret || strlen(secret) < 8)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], secret))
			goto out;
	if (nsecrets == MAX_SECRETS) {   /* drop the oldest */
		free(secrets[0]);
		memmove(secrets, secrets + 1, (MAX_SECRETS - 1) * sizeof(*secrets));
		nsecrets--;
	}
	secrets[nsecrets] = strdup(secret);
	if (secrets[nsecrets])
		nsecrets++;
out:
	pthread_mutex_unlock(&lock);
}

void ikc_redact_reset(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
	nsecrets = 0;
	pthread_mutex_unlock(&lock);
}

/* Length of a token-ish run (what follows "Bearer "). */
static size_t token_len(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != ' ' && p[n] != '"' && p[n] != '\'' &&
	       p[n] != '\n' && p[n] != '\r' && p[n] != ',' && p[n] != '}')
		n++;
	return n;
}

char *ikc_redact(const char *s)
{
	ikc_buf out = IKC_BUF_INIT(0);
	const char *p = s;

	pthread_mutex_lock(&lock);
	while (*p) {
		size_t i, skip = 0;

		for (i = 0; i < nsecrets && !skip; i++)
			if (!strncmp(p, secrets[i], strlen(secrets[i])))
				skip = strlen(secrets[i]);
		if (skip) {
			if (ikc_buf_puts(&out, REDACTED) < 0)
				goto oom;
			p += skip;
			continue;
		}
		if (!strncmp(p, "Bearer ", 7) && token_len(p + 7) > 0) {
			if (ikc_buf_puts(&out, "Bearer " REDACTED) < 0)
				goto oom;
			p += 7 + token_len(p + 7);
			continue;
		}
		if (!strncmp(p, "-----BEGIN ", 11) && strstr(p, "PRIVATE KEY-----") &&
		    strstr(p, "PRIVATE KEY-----") < p + 40) {
			const char *end = strstr(p + 11, "-----END ");
			const char *stop = end ? strstr(end + 9, "-----") : NULL;

			if (ikc_buf_puts(&out, REDACTED) < 0)
				goto oom;
			p = stop ? stop + 5 : p + strlen(p);
			continue;
		}
		if (ikc_buf_put(&out, p, 1) < 0)
			goto oom;
		p++;
	}
	pthread_mutex_unlock(&lock);
	return ikc_buf_detach(&out);
oom:
	pthread_mutex_unlock(&lock);
	ikc_buf_dispose(&out);
	return NULL;
}

static const char *level_name(ikc_log_level level)
{
	switch (level) {
	case IKC_LOG_ERROR: return "error";
	case IKC_LOG_WARN: return "warning";
	case IKC_LOG_INFO: return "info";
	default: return "debug";
	}
}

void ikc_log(ikc_log_level level, const char *fmt, ...)
{
	char raw[8192];
	char *clean;
	va_list ap;

	if (!ikc_log_enabled(level))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	clean = ikc_redact(raw);
	if (!clean)
		return;
	if (cur_sink)
		cur_sink(level, clean);
	else
		fprintf(stderr, "ikc: %s: %s\n", level_name(level), clean);
	free(clean);
}
