/* clock.c - clocks, RFC 3339 stamps, durations and random ids */
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/errors.h"

double ikc_time_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double ikc_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ikc_time_rfc3339(char out[32], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ikc_duration_parse(double *out, const char *s)
{
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
					  "empty duration");
	while (*p) {
		char *end;
		double v;

		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno || v < 0)
			goto bad;
		p = end;
		switch (*p) {
		case 'h': total += v * 3600; p++; break;
		case 'm':
			if (p[1] == 's') {
				total += v / 1000;
				p += 2;
			} else {
				total += v * 60;
				p++;
			}
			break;
		case 's': total += v; p++; break;
		case '\0': total += v; break;
		default: goto bad;
		}
	}
	*out = total;
	return 0;
bad:
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
		"invalid duration \"%s\" (expected e.g. 30s, 5m, 1h30m)", s);
}

void ikc_duration_format(char out[32], double seconds)
{
	long s = (long)seconds;

	if (s >= 3600)
		snprintf(out, 32, "%ldh%02ldm%02lds", s / 3600, (s / 60) % 60, s % 60);
	else if (s >= 60)
		snprintf(out, 32, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, 32, "%lds", s);
}

int ikc_random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ikc_error_set_os(IKC_ERR_OS, "cannot open /dev/urandom");
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return ikc_error_set_os(IKC_ERR_OS, "cannot read /dev/urandom");
		}
		p += r;
		n -= (size_t)r;
	}
	close(fd);
	return 0;
}

int ikc_uuid_v4(char out[37])
{
	unsigned char b[16];

	if (ikc_random_bytes(b, sizeof(b)) < 0)
		return IKC_ERROR;
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
