#include "qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static QRcode *encode(const char *text, QrStatus *status)
{
	QRcode *code;

	errno = 0;
	code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!code)
		*status = errno == ERANGE ? QR_TOO_LONG : QR_FAILED;
	return code;
}

QrStatus qr_svg(const char *text, double module_mm, Buf *out)
{
	QrStatus status = QR_OK;
	QRcode *code = encode(text, &status);
	int size;

	if (!code)
		return status;
	size = code->width + 2 * QR_QUIET_ZONE;
	buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" ");
	if (module_mm > 0)
		buf_printf(out, "width=\"%.1fmm\" height=\"%.1fmm\" ", size * module_mm,
			   size * module_mm);
	buf_printf(out, "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
			"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		   size, size, size, size);
	/* One horizontal run of dark modules per path segment keeps it small. */
	for (int y = 0; y < code->width; y++) {
		for (int x = 0; x < code->width;) {
			int run = 0;
			while (x + run < code->width && (code->data[y * code->width + x + run] & 1))
				run++;
			if (run) {
				buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET_ZONE, y + QR_QUIET_ZONE,
					   run, run);
				x += run;
			} else {
				x++;
			}
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(code);
	return out->failed ? QR_FAILED : QR_OK;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void chunk(Buf *out, const char *type, const unsigned char *data, size_t len)
{
	unsigned char head[8], tail[4];
	uLong crc = crc32(0, (const Bytef *)type, 4);

	put32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	buf_add(out, (const char *)head, 8);
	if (len) {
		buf_add(out, (const char *)data, len);
		crc = crc32(crc, data, (uInt)len);
	}
	put32(tail, (uint32_t)crc);
	buf_add(out, (const char *)tail, 4);
}

QrStatus qr_png(const char *text, int scale, Buf *out)
{
	QrStatus status = QR_OK;
	QRcode *code = encode(text, &status);
	unsigned char ihdr[13];
	size_t side, row, raw_len;
	unsigned char *raw = NULL, *packed = NULL;
	uLongf packed_len;

	if (!code)
		return status;
	if (scale < 1 || scale > 64) {
		QRcode_free(code);
		return QR_FAILED;
	}
	side = (size_t)(code->width + 2 * QR_QUIET_ZONE) * (size_t)scale;
	row = side + 1; /* a filter byte, then one grey byte per pixel */
	raw_len = row * side;
	raw = malloc(raw_len);
	packed_len = compressBound((uLong)raw_len);
	packed = malloc(packed_len);
	if (!raw || !packed) {
		status = QR_FAILED;
		goto done;
	}
	for (size_t y = 0; y < side; y++) {
		unsigned char *line = raw + y * row;
		long my = (long)(y / (size_t)scale) - QR_QUIET_ZONE;
		line[0] = 0;
		for (size_t x = 0; x < side; x++) {
			long mx = (long)(x / (size_t)scale) - QR_QUIET_ZONE;
			bool dark = my >= 0 && mx >= 0 && my < code->width && mx < code->width &&
				    (code->data[my * code->width + mx] & 1);
			line[1 + x] = dark ? 0 : 255;
		}
	}
	if (compress2(packed, &packed_len, raw, (uLong)raw_len, 9) != Z_OK) {
		status = QR_FAILED;
		goto done;
	}
	buf_add(out, "\x89PNG\r\n\x1a\n", 8);
	put32(ihdr, (uint32_t)side);
	put32(ihdr + 4, (uint32_t)side);
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 0;  /* greyscale */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering */
	ihdr[12] = 0; /* no interlace */
	chunk(out, "IHDR", ihdr, sizeof ihdr);
	chunk(out, "IDAT", packed, packed_len);
	chunk(out, "IEND", NULL, 0);
	if (out->failed)
		status = QR_FAILED;
done:
	free(raw);
	free(packed);
	QRcode_free(code);
	return status;
}
