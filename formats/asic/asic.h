/* ASiC module internals (ETSI EN 319 162-1 containers on libzip), shared by asic*.c only. */
#ifndef SEGL_ASIC_H
#define SEGL_ASIC_H

#include <stdio.h>
#include <zip.h>
#include "formats/format.h"

#define ASIC_MIMETYPE_E "application/vnd.etsi.asic-e+zip"
#define ASIC_MIMETYPE_S "application/vnd.etsi.asic-s+zip"
#define ASIC_NS "http://uri.etsi.org/02918/v1.2.1#"

/* Limits against zip bombs and hostile containers. Data objects are streamed, never held in
 * memory (nor written anywhere to be read again); these bound what a container may make segl
 * read or write. */
#define ASIC_MAX_ENTRIES 4096
#define ASIC_MAX_NAME 1024
#define ASIC_MAX_OBJECT_BYTES (16ull << 30)   /* one member, uncompressed */
#define ASIC_MAX_TOTAL_BYTES (64ull << 30)    /* all members, uncompressed */
#define ASIC_RATIO_FLOOR (16ull << 20)        /* members above this ... */
#define ASIC_MAX_RATIO 200                    /* ... may not expand more than this */
#define ASIC_MAX_META_BYTES (16u << 20)       /* a signature or manifest, read into memory */

enum asic_kind { ASIC_E, ASIC_S };
enum asic_role {
    ASIC_ROLE_MIMETYPE,
    ASIC_ROLE_DATA,       /* a data object: any file outside META-INF/ */
    ASIC_ROLE_FOLDER,     /* a folder entry ("dir/"), no content */
    ASIC_ROLE_META,       /* a file in META-INF/ */
};

struct asic_entry {
    char *name;            /* as stored (UTF-8), validated */
    zip_uint64_t index;
    zip_uint64_t size;     /* declared, uncompressed */
    enum asic_role role;
    int covered;           /* verification: some signature covers this data object */
};

struct asic_container {
    zip_t *zip;
    enum asic_kind kind;
    struct asic_entry *entries;
    size_t count;
    int mimetype_extra;    /* the mimetype's local header has an extra field (A.1: it shall not) */
};

/* ---- asic_zip.c: reading containers */
/* Whether the first bytes of a file are an ASiC container: the zip local header of a stored
 * "mimetype" naming asic-e or asic-s: 1, or 2 when it has an extra field (EN 319 162-1 A.1 says
 * it shall not; DigiDoc writes one). Sets *kind. */
int asic_detect(const unsigned char *head, size_t len, enum asic_kind *kind);
/* Open the container in src (read-only; src must outlive c) and check its structure (EN 319
 * 162-1 4.4 and A.1 and segl's limits): mimetype first, stored (an extra field is noted in
 * c->mimetype_extra); safe, unique
 * names; no encrypted, linked or oddly compressed entries; declared sizes within the limits; for
 * ASiC-S one data object at the root. 0, or -1 with the reason in why. */
int asic_open(struct asic_container *c, const sign_source *src, char *why, size_t why_len);
/* The same for the container being made in store (asic_store.c), writable: changes are written
 * back to the store by zip_close. */
struct asic_store;
int asic_open_store(struct asic_container *c, struct asic_store *store, char *why,
                    size_t why_len);
/* A libzip source reading src (which must outlive it): how a container, or a data object being
 * put in one, is read without a path. NULL with error set. */
zip_source_t *asic_zip_source(const sign_source *src, zip_error_t *error);
void asic_close(struct asic_container *c); /* discards changes; c may be zeroed */
const struct asic_entry *asic_find(const struct asic_container *c, const char *name);
/* A BIO reading the entry's content, streaming, failing (-1) when the content is longer than
 * declared or than the limits, or does not match its CRC. Free with BIO_free. */
BIO *asic_entry_bio(struct asic_container *c, const struct asic_entry *e);
/* Read a META-INF entry whole (at most ASIC_MAX_META_BYTES). malloc'd, NUL-terminated. */
int asic_read_meta(struct asic_container *c, const struct asic_entry *e, unsigned char **out,
                   size_t *len, char *why, size_t why_len);
/* Digest the entry streaming. 0 or -1 with why. */
int asic_digest_entry(struct asic_container *c, const struct asic_entry *e, const EVP_MD *md,
                      unsigned char *digest, unsigned int *digest_len, char *why, size_t why_len);
/* The entry as a source named by its member name, for the CAdES and XAdES modules: a META-INF
 * entry of at most ASIC_MAX_META_BYTES read into memory, anything else streamed from the
 * container (which must outlive the source). NULL with why. */
sign_source *asic_member_source(struct asic_container *c, const struct asic_entry *e, char *why,
                                size_t why_len);
/* Write the entry to the new file name under the directory dirfd, creating folders on the way;
 * never follows a link and never replaces an existing file. */
int asic_write_entry(struct asic_container *c, const struct asic_entry *e, int dirfd,
                     const char *name, char *why, size_t why_len);

/* ---- asic_store.c: where a container being made is kept, without a working folder */
struct asic_store {
    zip_source_t *zip_source; /* the container's bytes, kept across zip_open/zip_close */
    FILE *output;             /* the output file the container is built in, or NULL: memory */
};
/* Keep the container in out itself when out is an empty file that can be read back (so that
 * memory stays bounded whatever the data objects weigh), else in memory. Message on ctx. */
int asic_store_init(sign_ctx *ctx, struct asic_store *store, BIO *out);
/* Every byte of src as the store's content (a container to add a signature to). */
int asic_store_fill(sign_ctx *ctx, struct asic_store *store, const sign_source *src);
/* A new, empty zip in the store, for zip_close to write. */
zip_t *asic_store_create(sign_ctx *ctx, struct asic_store *store);
/* The finished container to out (nothing to copy when it was made in out). */
int asic_store_finish(sign_ctx *ctx, struct asic_store *store, BIO *out);
void asic_store_free(struct asic_store *store);
/* Add bytes (ownership taken) as the member name; store: uncompressed. */
int asic_add_bytes(sign_ctx *ctx, zip_t *zip, const char *name, void *bytes, size_t len,
                   int store);

/* ---- asic_manifest.c: the ASiCManifest of a CAdES ASiC-E (EN 319 162-1 A.4) */
struct asic_reference {
    char *name;                          /* unescaped URI: a member name */
    const EVP_MD *md;                    /* NULL: unknown algorithm */
    int weak;
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t digest_len;
};
struct asic_manifest {
    char *sig_reference;                 /* SigReference URI, unescaped */
    struct asic_reference *refs;
    size_t count;
};
/* Build a manifest naming sig_name and every data object of c with its digest under digest
 * (an OpenSSL name). malloc'd bytes. */
int asic_manifest_build(sign_ctx *ctx, struct asic_container *c, const char *sig_name,
                        const char *digest, unsigned char **out, size_t *len);
/* Parse one; -1 with why when it is not a usable ASiCManifest. */
int asic_manifest_parse(const unsigned char *bytes, size_t len, struct asic_manifest *m,
                        char *why, size_t why_len);
void asic_manifest_clear(struct asic_manifest *m);

/* ---- asic_xades.c: XAdES inside (EN 319 162-1 4.3.2, 4.4.2) */
/* An xades_open_fn over the data objects of the container arg. */
BIO *asic_open_member(void *arg, const char *name, char *why, size_t why_len);
/* Add a XAdES signature over every data object of c (existing: c was given to be signed, not
 * made now), and for an ASiC-E the ODF manifest when there is none. */
int asic_add_xades(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                   struct asic_container *c, int existing);

/* ---- asic_sign.c, asic_verify.c */
int asic_sign_many(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                   const char *const *inputs, size_t count, BIO *out, enum asic_kind kind);
int asic_sign_one(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in,
                  BIO *out, enum asic_kind kind);
void asic_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                 const sign_source *content);

#endif
