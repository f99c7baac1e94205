/* RFC 3161 for document timestamps (EN 319 142-1 5.4.3): the token's imprint is over the
 * ByteRange of a document timestamp, which is hashed here from the file, with the
 * algorithm the token names; libsign's timestamp.c does the rest. */
#include <string.h>
#include "pades.h"

static int digest_chunk(void *mctx, const void *bytes, size_t len)
{
    return EVP_DigestUpdate(mctx, bytes, len) ? 0 : -1;
}

static int digest_ranges(const pdf_doc *doc, const long long br[4], const EVP_MD *md,
                         unsigned char *digest, unsigned int *digest_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ok = mctx && EVP_DigestInit_ex(mctx, md, NULL);
    for (int r = 0; ok && r < 2; r++)
        ok = pdf_each_chunk(doc, (size_t)br[2 * r], (size_t)br[2 * r + 1], digest_chunk,
                            mctx) == 0;
    ok = ok && EVP_DigestFinal_ex(mctx, digest, digest_len);
    EVP_MD_CTX_free(mctx);
    return ok;
}

struct ranges {
    const pdf_doc *doc;
    const long long *br;
};

static int digest_ranges_fn(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                            void *arg)
{
    const struct ranges *ranges = arg;
    return digest_ranges(ranges->doc, ranges->br, md, digest, digest_len);
}

int pades_timestamp_check_ranges(const sign_ctx *ctx, const unsigned char *token,
                                 size_t token_len, const pdf_doc *doc, const long long br[4],
                                 sign_timestamp_result *out)
{
    struct ranges ranges = {doc, br};
    return sign_timestamp_check_with(ctx, token, token_len, digest_ranges_fn, &ranges, out);
}
