/*
 * qr: QR codes for printed posters and slips (libqrencode), as SVG or PNG.
 *
 * Error correction level M (15 % of the symbol may be damaged: folds, pen
 * marks), a quiet zone of 4 modules as the standard asks, 8-bit byte mode so
 * any URL encodes as it is.
 */
#ifndef HAILONG_QR_H
#define HAILONG_QR_H

#include <stdbool.h>

#include "buf.h"

enum { QR_QUIET_ZONE = 4 };

typedef enum QrStatus {
	QR_OK,
	QR_TOO_LONG, /* more than a QR code holds (libqrencode's ERANGE) */
	QR_FAILED,   /* bad input or out of memory */
} QrStatus;

/* Appends an SVG image of text's QR code to out: one path, black modules on
 * white, module_mm millimetres per module in the width/height attributes
 * (0: unitless, scales to its box). */
QrStatus qr_svg(const char *text, double module_mm, Buf *out);

/* Appends a PNG (8-bit grey) of text's QR code, scale pixels per module. */
QrStatus qr_png(const char *text, int scale, Buf *out);

#endif
