// CEmberImage: a C shim over libpng and libjpeg-turbo (their errors longjmp, which Swift cannot cross).
#ifndef CEMBER_IMAGE_H
#define CEMBER_IMAGE_H
#include <stddef.h>
#include <stdint.h>

/// A decoded image: 8-bit samples, row-major HWC, `channels` of 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).
typedef struct {
    uint8_t *pixels;   // malloc'ed; free with ember_image_free
    int width, height, channels;
} EmberDecodedImage;

/// Decodes a PNG held in memory (16-bit samples are reduced to 8, palettes expanded). Returns 0 on success;
/// otherwise fills `error` (NUL-terminated, at most errorSize bytes) and returns nonzero.
int ember_png_decode(const uint8_t *data, size_t size, EmberDecodedImage *out, char *error, size_t errorSize);

/// Decodes a baseline or progressive JPEG held in memory to gray or RGB (CMYK is refused).
int ember_jpeg_decode(const uint8_t *data, size_t size, EmberDecodedImage *out, char *error, size_t errorSize);

/// Encodes 8-bit HWC pixels as PNG. On success `*outData` is malloc'ed (free with ember_buffer_free).
int ember_png_encode(const uint8_t *pixels, int width, int height, int channels,
                     uint8_t **outData, size_t *outSize, char *error, size_t errorSize);

/// Decompresses gzip data held in memory (concatenated members are joined; zlib streams are accepted too).
/// On success `*outData` is malloc'ed (free with ember_buffer_free); truncated or corrupt data fails.
/// At most `limit` bytes are produced ((size_t)-1: no limit): with `prefixOnly` the first `limit` bytes are
/// returned (fewer if the stream is shorter); otherwise a stream longer than `limit` fails without inflating it.
int ember_gunzip(const uint8_t *data, size_t size, size_t limit, int prefixOnly,
                 uint8_t **outData, size_t *outSize, char *error, size_t errorSize);

/// Compresses `data` into one gzip member (level 9). On success `*outData` is malloc'ed (ember_buffer_free).
int ember_gzip(const uint8_t *data, size_t size, uint8_t **outData, size_t *outSize);

void ember_image_free(EmberDecodedImage *image);
void ember_buffer_free(void *buffer);

#endif
