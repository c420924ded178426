#include <zlib.h>
/* inflateInit2 is a macro; Swift can only call functions. */
static inline int cvic_inflate_init(z_streamp stream) {
    return inflateInit2(stream, 15 + 32); /* gzip or zlib, auto-detected */
}
