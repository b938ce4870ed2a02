/*
 * libjpeg-turbo's own speed on the benchmark frame, for comparison with the JMH numbers of camera-core's codec.
 *
 *   tj_ref FRAME.yuyv FRAME.rgb FRAME.nv12 [WIDTH HEIGHT [QUALITY [WARMUP_ROUNDS MEASURED_ROUNDS ROUND_SECONDS]]]
 *
 * Three loops, each timed like JMH's average-time mode (warm-up rounds, then measured rounds of a fixed time,
 * the mean time per frame of each round), single-threaded:
 *   yuyv        split YUYV into full-range I420 planes (chroma of each row pair averaged, limited range expanded,
 *               as camera-core does) + tjCompressFromYUVPlanes, 4:2:0
 *   nv12        the same from NV12 (luma through the range table, interleaved chroma de-interleaved)
 *   yuv-planes  tjCompressFromYUVPlanes of planes split once (the library's share of the line above)
 *   rgb         tjCompress2 from packed RGB, 4:2:0
 *   yuyv-split, nv12-split   the split alone, without compressing (the C counterpart of camera-core's split)
 * Every call writes into one preallocated tjBufSize buffer (TJFLAG_NOREALLOC), like camera-core's codec, and
 * the result is copied out, as the JVM side copies it into a byte[].
 * Output lines: "RESULT mode=yuyv ms_mean=... ms_min=... ms_max=... bytes=...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

static unsigned char luma_lut[256], chroma_lut[256];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char clamp_round(double v) {
    long r = v < 0 ? (long) (v - 0.5) : (long) (v + 0.5);
    return r < 0 ? 0 : r > 255 ? 255 : (unsigned char) r;
}

static unsigned char *read_file(const char *path, size_t expected) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    unsigned char *buf = malloc(expected);
    if (fread(buf, 1, expected, f) != expected) { fprintf(stderr, "%s: shorter than %zu bytes\n", path, expected); exit(1); }
    fclose(f);
    return buf;
}

/* YUYV (even width and height) to full-range I420 planes, row pair by row pair. */
static void split_yuyv(const unsigned char *src, int w, int h, unsigned char *y, unsigned char *u, unsigned char *v) {
    int cw = w / 2;
    for (int r = 0; r < h; r += 2) {
        const unsigned char *a = src + (size_t) r * w * 2, *b = a + (size_t) w * 2;
        unsigned char *ya = y + (size_t) r * w, *yb = ya + w;
        unsigned char *uu = u + (size_t) (r / 2) * cw, *vv = v + (size_t) (r / 2) * cw;
        for (int p = 0, i = 0; p < cw; p++, i += 4) {
            ya[2 * p] = luma_lut[a[i]];
            ya[2 * p + 1] = luma_lut[a[i + 2]];
            yb[2 * p] = luma_lut[b[i]];
            yb[2 * p + 1] = luma_lut[b[i + 2]];
            uu[p] = chroma_lut[(a[i + 1] + b[i + 1] + 1) >> 1];
            vv[p] = chroma_lut[(a[i + 3] + b[i + 3] + 1) >> 1];
        }
    }
}

/* NV12 (even width and height, stride = width) to full-range I420 planes. */
static void split_nv12(const unsigned char *src, int w, int h, unsigned char *y, unsigned char *u, unsigned char *v) {
    size_t n = (size_t) w * h;
    for (size_t i = 0; i < n; i++) y[i] = luma_lut[src[i]];
    const unsigned char *c = src + n;
    size_t cn = n / 4;
    for (size_t i = 0; i < cn; i++) {
        u[i] = chroma_lut[c[2 * i]];
        v[i] = chroma_lut[c[2 * i + 1]];
    }
}

struct ctx {
    tjhandle tj;
    const unsigned char *yuyv, *rgb, *nv12;
    unsigned char *planes[3];
    int strides[3];
    int w, h, q;
    unsigned char *out, *copy;
    unsigned long capacity, size;
};

static void encode(struct ctx *c, const char *mode) {
    unsigned long size = c->capacity;
    unsigned char *out = c->out;
    int rc;
    if (strcmp(mode, "yuyv-split") == 0 || strcmp(mode, "nv12-split") == 0) {
        if (mode[0] == 'y') {
            split_yuyv(c->yuyv, c->w, c->h, c->planes[0], c->planes[1], c->planes[2]);
        } else {
            split_nv12(c->nv12, c->w, c->h, c->planes[0], c->planes[1], c->planes[2]);
        }
        c->size = 0;
        return;
    }
    if (strcmp(mode, "rgb") == 0) {
        rc = tjCompress2(c->tj, c->rgb, c->w, c->w * 3, c->h, TJPF_RGB, &out, &size, TJSAMP_420, c->q, TJFLAG_NOREALLOC);
    } else {
        if (strcmp(mode, "yuyv") == 0) {
            split_yuyv(c->yuyv, c->w, c->h, c->planes[0], c->planes[1], c->planes[2]);
        } else if (strcmp(mode, "nv12") == 0) {
            split_nv12(c->nv12, c->w, c->h, c->planes[0], c->planes[1], c->planes[2]);
        }
        rc = tjCompressFromYUVPlanes(c->tj, (const unsigned char **) c->planes, c->w, c->strides, c->h, TJSAMP_420,
                                     &out, &size, c->q, TJFLAG_NOREALLOC);
    }
    if (rc != 0) { fprintf(stderr, "compress: %s\n", tjGetErrorStr2(c->tj)); exit(1); }
    memcpy(c->copy, out, size);
    c->size = size;
}

static void run(struct ctx *c, const char *mode, int warmups, int rounds, double seconds) {
    double min = 1e9, max = 0, sum = 0;
    for (int r = -warmups; r < rounds; r++) {
        long n = 0;
        double t0 = now(), t;
        do { encode(c, mode); n++; t = now(); } while (t - t0 < seconds);
        double ms = (t - t0) * 1000 / n;
        if (r >= 0) { sum += ms; if (ms < min) min = ms; if (ms > max) max = ms; }
    }
    printf("RESULT mode=%s ms_mean=%.3f ms_min=%.3f ms_max=%.3f bytes=%lu\n", mode, sum / rounds, min, max, c->size);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s FRAME.yuyv FRAME.rgb FRAME.nv12 [W H [QUALITY [WARMUP ROUNDS SECONDS]]]\n", argv[0]);
        return 2;
    }
    struct ctx c = {0};
    c.w = argc > 5 ? atoi(argv[4]) : 1280;
    c.h = argc > 5 ? atoi(argv[5]) : 720;
    c.q = argc > 6 ? atoi(argv[6]) : 80;
    int warmups = argc > 9 ? atoi(argv[7]) : 3, rounds = argc > 9 ? atoi(argv[8]) : 5;
    double seconds = argc > 9 ? atof(argv[9]) : 2.0;
    if (c.w <= 0 || c.h <= 0 || c.w % 2 || c.h % 2 || c.q < 1 || c.q > 100 || rounds < 1) {
        fprintf(stderr, "bad size or quality\n");
        return 2;
    }
    for (int i = 0; i < 256; i++) {
        luma_lut[i] = clamp_round((i - 16) * 255.0 / 219.0);
        chroma_lut[i] = clamp_round((i - 128) * 255.0 / 224.0 + 128);
    }
    c.yuyv = read_file(argv[1], (size_t) c.w * c.h * 2);
    c.rgb = read_file(argv[2], (size_t) c.w * c.h * 3);
    c.nv12 = read_file(argv[3], (size_t) c.w * c.h * 3 / 2);
    int cw = c.w / 2, ch = c.h / 2;
    c.planes[0] = malloc((size_t) c.w * c.h + 2 * (size_t) cw * ch);
    c.planes[1] = c.planes[0] + (size_t) c.w * c.h;
    c.planes[2] = c.planes[1] + (size_t) cw * ch;
    c.strides[0] = c.w; c.strides[1] = cw; c.strides[2] = cw;
    c.capacity = tjBufSize(c.w, c.h, TJSAMP_420);
    c.out = tjAlloc((int) c.capacity);
    c.copy = malloc(c.capacity);
    c.tj = tjInitCompress();
    if (!c.tj || !c.out) { fprintf(stderr, "tjInitCompress failed\n"); return 1; }
    split_yuyv(c.yuyv, c.w, c.h, c.planes[0], c.planes[1], c.planes[2]);
    run(&c, "yuyv", warmups, rounds, seconds);
    run(&c, "nv12", warmups, rounds, seconds);
    run(&c, "yuv-planes", warmups, rounds, seconds);
    run(&c, "rgb", warmups, rounds, seconds);
    run(&c, "yuyv-split", warmups, rounds, seconds);
    run(&c, "nv12-split", warmups, rounds, seconds);
    tjFree(c.out);
    tjDestroy(c.tj);
    return 0;
}
