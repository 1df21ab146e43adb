/* quantity.c - Kubernetes resource quantities: parse, canonical text, compare */
#include "util/quantity.h"

#include <stdio.h>
#include <string.h>

#include "util/errors.h"

#define QMAX 80          /* digits kept while computing */
#define QINPUT 60        /* digits accepted from the text */

enum qformat { Q_DECIMAL_SI, Q_BINARY_SI, Q_DECIMAL_EXP };

/* value = (neg ? -1 : 1) * digits * 10^exp10; nd == 0 is zero. */
struct qty {
	int neg;
	size_t nd;
	unsigned char d[QMAX];   /* most significant first, no leading zero */
	long exp10;
	enum qformat format;
};

static void strip_leading(struct qty *q)
{
	size_t z = 0;

	while (z < q->nd && q->d[z] == 0)
		z++;
	if (z) {
		memmove(q->d, q->d + z, q->nd - z);
		q->nd -= z;
	}
}

/* Moves trailing zero digits into the exponent. */
static void strip_trailing(struct qty *q)
{
	while (q->nd && q->d[q->nd - 1] == 0) {
		q->nd--;
		q->exp10++;
	}
}

/* digits *= m (m < 10000). IKC_ELIMIT when it no longer fits. */
static int mul_small(struct qty *q, unsigned m)
{
	unsigned char out[QMAX];
	unsigned long carry = 0;
	size_t i, n = 0;

	for (i = q->nd; i-- > 0;) {
		unsigned long v = (unsigned long)q->d[i] * m + carry;

		if (n == QMAX)
			return IKC_ELIMIT;
		out[QMAX - 1 - n++] = (unsigned char)(v % 10);
		carry = v / 10;
	}
	while (carry) {
		if (n == QMAX)
			return IKC_ELIMIT;
		out[QMAX - 1 - n++] = (unsigned char)(carry % 10);
		carry /= 10;
	}
	memcpy(q->d, out + QMAX - n, n);
	q->nd = n;
	strip_leading(q);
	return 0;
}

/* digits /= m when it divides exactly (returns 1), else leaves q alone (0). */
static int div_exact(struct qty *q, unsigned m)
{
	unsigned char out[QMAX];
	unsigned long rem = 0;
	size_t i;

	for (i = 0; i < q->nd; i++) {
		unsigned long v = rem * 10 + q->d[i];

		out[i] = (unsigned char)(v / m);
		rem = v % m;
	}
	if (rem)
		return 0;
	memcpy(q->d, out, q->nd);
	strip_leading(q);
	return 1;
}

/* Adds one unit in the last digit (rounding up the magnitude). */
static int add_one(struct qty *q)
{
	size_t i = q->nd;

	while (i-- > 0) {
		if (q->d[i] < 9) {
			q->d[i]++;
			return 0;
		}
		q->d[i] = 0;
	}
	if (q->nd == QMAX)
		return IKC_ELIMIT;
	memmove(q->d + 1, q->d, q->nd);
	q->d[0] = 1;
	q->nd++;
	return 0;
}

/* Makes exp10 >= -9, rounding the magnitude up as the API server does. */
static int round_nano(struct qty *q)
{
	int up = 0;

	while (q->exp10 < -9 && q->nd) {
		if (q->d[q->nd - 1])
			up = 1;
		q->nd--;
		q->exp10++;
	}
	if (!q->nd)
		q->exp10 = -9;
	return up ? add_one(q) : 0;
}

static int bad_format(void)
{
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC, "%s", IKC_QUANTITY_FORMAT_MSG);
}

static int suffix_of(const char *s, long *exp10, int *pow1024, enum qformat *f)
{
	static const struct { const char *s; int e; } dec[] = {
		{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6},
		{"G", 9}, {"T", 12}, {"P", 15}, {"E", 18}};
	static const char *const bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	size_t i;

	*exp10 = 0;
	*pow1024 = 0;
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		if (!strcmp(s, dec[i].s)) {
			*exp10 = dec[i].e;
			*f = Q_DECIMAL_SI;
			return 0;
		}
	for (i = 0; i < sizeof(bin) / sizeof(bin[0]); i++)
		if (!strcmp(s, bin[i])) {
			*pow1024 = (int)i + 1;
			*f = Q_BINARY_SI;
			return 0;
		}
	if ((s[0] == 'e' || s[0] == 'E') && s[1]) {
		const char *p = s + 1;
		int neg = 0;
		long v = 0;

		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		if (!*p)
			goto bad;
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || v > 100000)
				goto bad;
			v = v * 10 + (*p - '0');
		}
		*exp10 = neg ? -v : v;
		*f = Q_DECIMAL_EXP;
		return 0;
	}
bad:
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC, "%s", IKC_QUANTITY_SUFFIX_MSG);
}

static int parse(struct qty *q, const char *text)
{
	const char *p = text, *sfx;
	long e10;
	int p1024, i, error;

	memset(q, 0, sizeof(*q));
	if (!text || !*text)
		return bad_format();
	if (*p == '+' || *p == '-')
		q->neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++) {
		if (q->nd == 0 && *p == '0')
			continue;
		if (q->nd == QINPUT)
			return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
						  "quantity %s has too many digits", text);
		q->d[q->nd++] = (unsigned char)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (q->nd == 0 && *p == '0') {
				q->exp10--;
				continue;
			}
			if (q->nd == QINPUT)
				return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
							  "quantity %s has too many digits", text);
			q->d[q->nd++] = (unsigned char)(*p - '0');
			q->exp10--;
		}
	}
	/* the suffix: letters of the suffix alphabet, then [+-] digits */
	sfx = p;
	while (*p && strchr("eEinumkKMGTP", *p))
		p++;
	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p)
		return bad_format();
	error = suffix_of(sfx, &e10, &p1024, &q->format);
	if (error < 0)
		return error;
	if (!q->nd) {
		q->neg = 0;
		return 0;
	}
	q->exp10 += e10;
	for (i = 0; i < p1024; i++)
		if ((error = mul_small(q, 1024)) < 0)
			return ikc_error_set_code(error, IKC_ERR_LIMIT,
						  "quantity %s is too large", text);
	strip_trailing(q);
	if (q->exp10 > 1000)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "quantity %s is too large", text);
	error = round_nano(q);
	strip_trailing(q);
	return error;
}

/* 1 if |q| < 1024. */
static int under_1024(const struct qty *q)
{
	long intdigits = (long)q->nd + q->exp10;
	unsigned v = 0;
	size_t i;

	if (intdigits <= 3)
		return 1;
	if (intdigits > 4)
		return 0;
	for (i = 0; i < 4; i++)
		v = v * 10 + (i < q->nd ? q->d[i] : 0);
	return v < 1024;
}

static int put(char *out, size_t n, size_t *len, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > n)
		return IKC_ELIMIT;
	memcpy(out + *len, s, l + 1);
	*len += l;
	return 0;
}

static int put_digits(char *out, size_t n, size_t *len, const struct qty *q, long zeros)
{
	size_t i;

	if (*len + q->nd + (size_t)zeros + 1 > n)
		return IKC_ELIMIT;
	for (i = 0; i < q->nd; i++)
		out[(*len)++] = (char)('0' + q->d[i]);
	for (; zeros > 0; zeros--)
		out[(*len)++] = '0';
	out[*len] = '\0';
	return 0;
}

static int format(char *out, size_t n, struct qty *q)
{
	static const char *const dec[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
	static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	size_t len = 0;
	long e, zeros = 0;
	enum qformat f = q->format;
	char sfx[32];
	int error;

	if (!q->nd)
		return put(out, n, &len, "0");
	if (q->neg && (error = put(out, n, &len, "-")) < 0)
		return error;
	if (f == Q_BINARY_SI && (under_1024(q) || q->exp10 < 0))
		f = Q_DECIMAL_SI;
	if (f == Q_BINARY_SI) {
		int k = 0;

		/* whole number: bring the exponent into the digits */
		zeros = q->exp10;
		q->exp10 = 0;
		while (zeros > 0) {
			if ((error = mul_small(q, 10)) < 0)
				return error;
			zeros--;
		}
		while (k < 6 && div_exact(q, 1024))
			k++;
		if ((error = put_digits(out, n, &len, q, 0)) < 0)
			return error;
		return put(out, n, &len, bin[k]);
	}
	/* exponent a multiple of 3, as large as keeps the mantissa whole */
	e = q->exp10;
	switch (e % 3) {
	case 1:
	case -2:
		zeros = 1;
		e -= 1;
		break;
	case 2:
	case -1:
		zeros = 2;
		e -= 2;
		break;
	}
	if (f == Q_DECIMAL_SI && e > 18) {
		zeros += e - 18;
		e = 18;
	}
	if (zeros > 200)
		return IKC_ELIMIT;
	if ((error = put_digits(out, n, &len, q, zeros)) < 0)
		return error;
	if (f == Q_DECIMAL_EXP) {
		if (!e)
			return 0;
		snprintf(sfx, sizeof(sfx), "e%ld", e);
		return put(out, n, &len, sfx);
	}
	return put(out, n, &len, dec[(e + 9) / 3]);
}

int ikc_quantity_canonical(char *out, size_t n, const char *text)
{
	struct qty q;
	int error = parse(&q, text);

	if (error < 0)
		return error;
	if (n)
		out[0] = '\0';
	error = format(out, n, &q);
	if (error < 0)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "quantity %s is too long to write", text);
	return 0;
}

/* Compares magnitudes of two non-zero values. */
static int cmp_abs(const struct qty *a, const struct qty *b)
{
	long ia = (long)a->nd + a->exp10, ib = (long)b->nd + b->exp10;
	size_t i, n;

	if (ia != ib)
		return ia < ib ? -1 : 1;
	n = a->nd > b->nd ? a->nd : b->nd;
	for (i = 0; i < n; i++) {
		int da = i < a->nd ? a->d[i] : 0, db = i < b->nd ? b->d[i] : 0;

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

int ikc_quantity_compare(int *cmp, const char *a, const char *b)
{
	struct qty qa, qb;
	int error, sa, sb;

	*cmp = 0;
	if ((error = parse(&qa, a)) < 0 || (error = parse(&qb, b)) < 0)
		return error;
	sa = !qa.nd ? 0 : qa.neg ? -1 : 1;
	sb = !qb.nd ? 0 : qb.neg ? -1 : 1;
	if (sa != sb)
		*cmp = sa < sb ? -1 : 1;
	else if (sa)
		*cmp = sa * cmp_abs(&qa, &qb);
	return 0;
}

int ikc_quantity_sign(const char *text)
{
	struct qty q;

	if (parse(&q, text) < 0) {
		ikc_error_clear();
		return 0;
	}
	return !q.nd ? 0 : q.neg ? -1 : 1;
}
