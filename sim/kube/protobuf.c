/* protobuf.c - a minimal protocol-buffers writer (varints, length-delimited fields) */
#include "sim/kube/kube.h"

#include <string.h>

int kube__pb_varint(ikc_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		unsigned char byte = (unsigned char)(v & 0x7f);

		v >>= 7;
		if (v)
			byte |= 0x80;
		tmp[n++] = byte;
	} while (v && n < sizeof(tmp));
	return ikc_buf_put(b, tmp, n);
}

int kube__pb_bytes(ikc_buf *b, unsigned field, const void *data, size_t len)
{
	int rc;

	/* wire type 2: length-delimited */
	rc = kube__pb_varint(b, ((uint64_t)field << 3) | 2);
	if (rc == 0)
		rc = kube__pb_varint(b, len);
	if (rc == 0 && len)
		rc = ikc_buf_put(b, data, len);
	return rc;
}

int kube__pb_string(ikc_buf *b, unsigned field, const char *s)
{
	return kube__pb_bytes(b, field, s, strlen(s));
}

int kube__pb_message(ikc_buf *b, unsigned field, const ikc_buf *msg)
{
	return kube__pb_bytes(b, field, msg->ptr, msg->len);
}
