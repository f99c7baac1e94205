/* The CAdES module's files among themselves (format class in cades.c). Internal. */
#ifndef SEGL_FORMATS_CADES_H
#define SEGL_FORMATS_CADES_H

#include "formats/cms/cms.h"
#include "formats/format.h"

/* ---- CAdES B-LTA (cades_archive.c) ---- */
/* EN 319 122-1 5.5.3: adds to si an archive-time-stamp-v3 (SHA-256) from the TSA at tsa_url over
 * cms as it is now, its token carrying the ats-hash-index-v3. detached_digest hashes the signed
 * content when cms has no eContent (NULL: none to be had). Message on ctx. */
int cades_archive_add(sign_ctx *ctx, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                      sign_digest_fn *detached_digest, void *detached_arg, const char *tsa_url);
/* Checks every archive-time-stamp-v3 of si over what its index names and adds each result to
 * ev, for the validation process to judge (B-LTA). */
void cades_archive_check(const sign_ctx *ctx, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                         sign_digest_fn *detached_digest, void *detached_arg, sign_evidence *ev);
/* The index of si's next archive-time-stamp-v3 unsigned attribute after lastpos (-1: from the
 * start), or -1. */
int cades_archive_attr_next(CMS_SignerInfo *si, int lastpos);

/* cades_list.c: the signatures of a CMS file as segl-inspect lists them (sign_format.list). */
int sign_cades_list(sign_ctx *ctx, const sign_source *src, struct json_t *file);

#endif
