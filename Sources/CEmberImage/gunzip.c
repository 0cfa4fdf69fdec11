// gzip decompression with zlib, for the IDX .gz files of MNIST and Fashion-MNIST.
#include "CEmberImage.h"
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ember_gunzip(const uint8_t *data, size_t size, size_t limit, int prefixOnly,
                 uint8_t **outData, size_t *outSize, char *error, size_t errorSize) {
    *outData = NULL; *outSize = 0;
    z_stream s;
    memset(&s, 0, sizeof(s));
    if (inflateInit2(&s, 15 + 32) != Z_OK) {   /* 15 + 32: detect gzip or zlib headers */
        snprintf(error, errorSize, "zlib: cannot initialise");
        return 1;
    }
    /* gzip stores the size of the last member modulo 2^32 in its final 4 bytes: a good first guess. */
    size_t cap = size * 4 + 1024;
    if (size >= 18 && data[0] == 0x1f && data[1] == 0x8b) {
        size_t isize = (size_t)data[size - 4] | ((size_t)data[size - 3] << 8) | ((size_t)data[size - 2] << 16) | ((size_t)data[size - 1] << 24);
        if (isize + 16 > cap) cap = isize + 16;
    }
    /* Never allocate more than the caller allows (plus one byte that detects a longer stream). */
    if (limit != (size_t)-1 && cap > limit + 1) cap = limit + 1;
    if (cap == 0) cap = 1;
    uint8_t *out = (uint8_t *)malloc(cap);
    size_t len = 0;
    if (!out) { inflateEnd(&s); snprintf(error, errorSize, "out of memory"); return 1; }
    s.next_in = (Bytef *)data;
    s.avail_in = 0;
    size_t consumed = 0;
    int ret = Z_OK;
    for (;;) {
        if (s.avail_in == 0 && consumed < size) {
            size_t chunk = size - consumed > (1u << 30) ? (1u << 30) : size - consumed;
            s.next_in = (Bytef *)(data + consumed);
            s.avail_in = (uInt)chunk;
            consumed += chunk;
        }
        if (len == cap) {
            size_t ncap = cap * 2;
            if (limit != (size_t)-1 && ncap > limit + 1) ncap = limit + 1;
            uint8_t *n = (uint8_t *)realloc(out, ncap);
            if (!n) { free(out); inflateEnd(&s); snprintf(error, errorSize, "out of memory"); return 1; }
            out = n; cap = ncap;
        }
        size_t room = cap - len > (1u << 30) ? (1u << 30) : cap - len;
        s.next_out = out + len;
        s.avail_out = (uInt)room;
        ret = inflate(&s, Z_NO_FLUSH);
        len += room - s.avail_out;
        if (prefixOnly && len >= limit) { len = limit; break; }
        if (len > limit) {
            free(out); inflateEnd(&s);
            snprintf(error, errorSize, "gzip data inflates to more than the %zu bytes expected (a damaged file or a gzip bomb)", limit);
            return 1;
        }
        if (ret == Z_STREAM_END) {
            /* Another gzip member may follow (as `cat a.gz b.gz` makes). */
            size_t left = s.avail_in + (size - consumed);
            if (left >= 2 && s.next_in[0] == 0x1f && s.next_in[1] == 0x8b) { inflateReset(&s); continue; }
            break;
        }
        if (ret == Z_BUF_ERROR && s.avail_in == 0 && consumed >= size) {
            free(out); inflateEnd(&s);
            snprintf(error, errorSize, "truncated gzip data (unexpected end of stream)");
            return 1;
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            snprintf(error, errorSize, "corrupt gzip data: %s", s.msg ? s.msg : "inflate failed");
            free(out); inflateEnd(&s);
            return 1;
        }
    }
    inflateEnd(&s);
    *outData = out; *outSize = len;
    return 0;
}

int ember_gzip(const uint8_t *data, size_t size, uint8_t **outData, size_t *outSize) {
    *outData = NULL; *outSize = 0;
    z_stream s;
    memset(&s, 0, sizeof(s));
    if (deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return 1;   /* 15 + 16: gzip wrapper */
    size_t cap = deflateBound(&s, size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uLong)size) + 64, len = 0, consumed = 0;
    uint8_t *out = (uint8_t *)malloc(cap);
    if (!out) { deflateEnd(&s); return 1; }
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        if (s.avail_in == 0 && consumed < size) {
            size_t chunk = size - consumed > (1u << 30) ? (1u << 30) : size - consumed;
            s.next_in = (Bytef *)(data + consumed);
            s.avail_in = (uInt)chunk;
            consumed += chunk;
        }
        if (len == cap) {
            uint8_t *n = (uint8_t *)realloc(out, cap * 2);
            if (!n) { free(out); deflateEnd(&s); return 1; }
            out = n; cap *= 2;
        }
        size_t room = cap - len > (1u << 30) ? (1u << 30) : cap - len;
        s.next_out = out + len;
        s.avail_out = (uInt)room;
        ret = deflate(&s, consumed >= size && s.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
        len += room - s.avail_out;
        if (ret == Z_STREAM_ERROR) { free(out); deflateEnd(&s); return 1; }
    }
    deflateEnd(&s);
    *outData = out; *outSize = len;
    return 0;
}
