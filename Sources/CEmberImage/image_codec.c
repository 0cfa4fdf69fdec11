// PNG (libpng) and JPEG (libjpeg-turbo) codecs behind a setjmp boundary, so errors come back as codes + text.
#include "CEmberImage.h"
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(char *error, size_t size, const char *msg) {
    if (error && size) { snprintf(error, size, "%s", msg); }
}

void ember_image_free(EmberDecodedImage *image) {
    if (image && image->pixels) { free(image->pixels); image->pixels = NULL; }
}
void ember_buffer_free(void *buffer) { free(buffer); }

/* ---------- PNG decode ---------- */
typedef struct { const uint8_t *data; size_t size, pos; } png_reader;
typedef struct { char *error; size_t errorSize; } png_err_ctx;

static void png_read_mem(png_structp png, png_bytep out, png_size_t n) {
    png_reader *r = (png_reader *)png_get_io_ptr(png);
    if (r->pos + n > r->size) { png_error(png, "truncated PNG data"); }
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
}
static void png_on_error(png_structp png, png_const_charp msg) {
    png_err_ctx *ctx = (png_err_ctx *)png_get_error_ptr(png);
    if (ctx) set_error(ctx->error, ctx->errorSize, msg);
    png_longjmp(png, 1);
}
static void png_on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

int ember_png_decode(const uint8_t *data, size_t size, EmberDecodedImage *out, char *error, size_t errorSize) {
    memset(out, 0, sizeof(*out));
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) { set_error(error, errorSize, "not a PNG file (bad signature)"); return 1; }
    png_err_ctx ctx = { error, errorSize };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_on_error, png_on_warning);
    if (!png) { set_error(error, errorSize, "libpng: out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    // Both change between setjmp and a possible longjmp, so they must be volatile to be read after it.
    png_bytep *volatile rows = NULL;
    uint8_t *volatile pixels = NULL;
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); set_error(error, errorSize, "libpng: out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(rows); free(pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_reader reader = { data, size, 0 };
    png_set_read_fn(png, &reader, png_read_mem);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if ((size_t)w * (size_t)h > ((size_t)1 << 31)) { png_error(png, "image dimensions too large"); }
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    size_t rowBytes = png_get_rowbytes(png, info);
    if (rowBytes != (size_t)w * channels) { png_error(png, "unexpected PNG row layout"); }
    pixels = (uint8_t *)malloc(rowBytes * h);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows) { png_error(png, "out of memory"); }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + y * rowBytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->pixels = pixels; out->width = (int)w; out->height = (int)h; out->channels = channels;
    return 0;
}

/* ---------- PNG encode ---------- */
typedef struct { uint8_t *data; size_t size, cap; } png_writer;
static void png_write_mem(png_structp png, png_bytep in, png_size_t n) {
    png_writer *w = (png_writer *)png_get_io_ptr(png);
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4096;
        while (cap < w->size + n) cap *= 2;
        uint8_t *d = (uint8_t *)realloc(w->data, cap);
        if (!d) png_error(png, "out of memory");
        w->data = d; w->cap = cap;
    }
    memcpy(w->data + w->size, in, n);
    w->size += n;
}
static void png_flush_mem(png_structp png) { (void)png; }

int ember_png_encode(const uint8_t *pixels, int width, int height, int channels,
                     uint8_t **outData, size_t *outSize, char *error, size_t errorSize) {
    *outData = NULL; *outSize = 0;
    int color;
    switch (channels) {
        case 1: color = PNG_COLOR_TYPE_GRAY; break;
        case 2: color = PNG_COLOR_TYPE_GRAY_ALPHA; break;
        case 3: color = PNG_COLOR_TYPE_RGB; break;
        case 4: color = PNG_COLOR_TYPE_RGBA; break;
        default: set_error(error, errorSize, "PNG encode: channels must be 1, 2, 3 or 4"); return 1;
    }
    if (width <= 0 || height <= 0) { set_error(error, errorSize, "PNG encode: empty image"); return 1; }
    png_err_ctx ctx = { error, errorSize };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_on_error, png_on_warning);
    if (!png) { set_error(error, errorSize, "libpng: out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    png_writer writer = { NULL, 0, 0 };
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(writer.data); free(rows);
        png_destroy_write_struct(&png, &info);
        if (!info) set_error(error, errorSize, "libpng: out of memory");
        return 1;
    }
    png_set_write_fn(png, &writer, png_write_mem, png_flush_mem);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory");
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * width * channels);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *outData = writer.data; *outSize = writer.size;
    return 0;
}

/* ---------- JPEG decode ---------- */
typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char *error; size_t errorSize;
} jpeg_err_ctx;

static void jpeg_on_error(j_common_ptr cinfo) {
    jpeg_err_ctx *ctx = (jpeg_err_ctx *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    set_error(ctx->error, ctx->errorSize, buffer);
    longjmp(ctx->jump, 1);
}
static void jpeg_on_message(j_common_ptr cinfo) { (void)cinfo; }
/* libjpeg only warns on truncated data and pads the image with gray; a truncated file must not decode. */
static void jpeg_on_emit(j_common_ptr cinfo, int level) {
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        jpeg_err_ctx *ctx = (jpeg_err_ctx *)cinfo->err;
        set_error(ctx->error, ctx->errorSize, "truncated JPEG data (premature end of file)");
        longjmp(ctx->jump, 1);
    }
    if (level == -1) cinfo->err->num_warnings++;
}

int ember_jpeg_decode(const uint8_t *data, size_t size, EmberDecodedImage *out, char *error, size_t errorSize) {
    memset(out, 0, sizeof(*out));
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) { set_error(error, errorSize, "not a JPEG file (missing SOI marker)"); return 1; }
    struct jpeg_decompress_struct cinfo;
    jpeg_err_ctx ctx;
    uint8_t *volatile pixels = NULL;
    cinfo.err = jpeg_std_error(&ctx.mgr);
    ctx.mgr.error_exit = jpeg_on_error;
    ctx.mgr.output_message = jpeg_on_message;
    ctx.mgr.emit_message = jpeg_on_emit;
    ctx.error = error; ctx.errorSize = errorSize;
    if (setjmp(ctx.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        set_error(error, errorSize, "CMYK JPEG files are not supported");
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height, c = cinfo.output_components;
    pixels = (uint8_t *)malloc((size_t)w * h * c);
    if (!pixels) { set_error(error, errorSize, "out of memory"); jpeg_destroy_decompress(&cinfo); return 1; }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * w * c;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    out->pixels = pixels; out->width = w; out->height = h; out->channels = c;
    return 0;
}
