/* A new signature or document-timestamp field's revision (ISO 32000-1 12.7.4.5, 12.8;
 * EN 319 142-1 5.3, 5.4.3): the signature dictionary with its /ByteRange and /Contents
 * placeholders, the field merged with its widget on a page, the updated page, AcroForm and
 * catalog, then the cross-reference section. The same revision serves signing (pades_sign.c) and
 * document timestamps (pades_ltv.c), and so do the digests allowed for what goes in it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "pades.h"

/* Page n (1-based) of the page tree (7.7.3.2), skipping subtrees by their /Count. */
static pdf_value *nth_page(pdf_doc *doc, pdf_value *ref, long long *left, int depth,
                           size_t *visited, uint32_t *num, int *gen)
{
    if (!ref || ref->type != PDF_REF || depth > 64 || ++*visited > 1000000)
        return NULL;
    pdf_value *node = pdf_get(doc, (uint32_t)ref->num, SIZE_MAX);
    if (!node || node->type != PDF_DICT)
        return NULL;
    pdf_value *kids = pdf_resolve(doc, pdf_dict_get(node, "Kids"), SIZE_MAX);
    if (pdf_is_name(pdf_dict_get(node, "Type"), "Page") || !kids || kids->type != PDF_ARRAY) {
        if (--*left > 0)
            return NULL;
        *num = (uint32_t)ref->num;
        *gen = ref->gen;
        return node;
    }
    for (size_t i = 0; i < kids->count && *left > 0; i++) {
        pdf_value *kid = pdf_resolve(doc, kids->items[i], SIZE_MAX);
        pdf_value *count = pdf_dict_get(kid, "Count");
        if (pdf_is_name(pdf_dict_get(kid, "Type"), "Pages") && count && count->type == PDF_INT &&
            count->num >= 0 && count->num < *left) {
            *left -= count->num;
            continue;
        }
        pdf_value *found = nth_page(doc, kids->items[i], left, depth + 1, visited, num, gen);
        if (found)
            return found;
    }
    return NULL;
}

/* arr (resolved) with item appended, as a new direct array. */
static pdf_value *array_plus(pdf_doc *doc, pdf_value *arr, pdf_value *item)
{
    size_t n = arr && arr->type == PDF_ARRAY ? arr->count : 0;
    pdf_value *out = pdf_new_value(doc, PDF_ARRAY);
    if (!out || !(out->items = pdf_alloc(doc, (n + 1) * sizeof *out->items)))
        return NULL;
    for (size_t i = 0; i < n; i++)
        out->items[i] = arr->items[i];
    out->items[n] = item;
    out->count = n + 1;
    return out;
}

/* A field name not used by a top-level field yet: "Signature1", "Signature2", ... */
static void unique_field_name(pdf_doc *doc, pdf_value *fields, const char *prefix, char *name,
                              size_t size)
{
    for (int n = 1;; n++) {
        snprintf(name, size, "%s%d", prefix, n);
        int used = 0;
        for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count; i++) {
            pdf_value *f = pdf_resolve(doc, fields->items[i], SIZE_MAX);
            pdf_value *t = pdf_dict_get(f, "T");
            if (t && t->type == PDF_STRING && t->len == strlen(name) && memcmp(t->bytes, name, t->len) == 0)
                used = 1;
        }
        if (!used || n > 100000)
            return;
    }
}

static void pdf_date(char *out, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "D:%Y%m%d%H%M%SZ", &tm);
}

int pades_build_field_revision(sign_ctx *ctx, struct pades_update *u, const sign_options *opts,
                               enum pades_field_kind kind, const sign_key *key,
                               size_t contents_bytes, uint32_t *sig_num_out)
{
    pdf_doc *doc = u->doc;
    pdf_value *trailer = doc->sections[0].trailer;
    if (pdf_dict_get(trailer, "Encrypt"))
        return sign_seterr(ctx, SIGN_EUNSUPPORTED,
                           "the PDF is encrypted; segl does not sign encrypted PDFs "
                           "(decrypt it first)");
    pdf_value *root = pdf_dict_get(trailer, "Root");
    pdf_value *catalog = root && root->type == PDF_REF ? pdf_get(doc, (uint32_t)root->num, SIZE_MAX) : NULL;
    if (!catalog || catalog->type != PDF_DICT)
        return sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable document catalog");
    int visible = kind == PADES_SIGNATURE && opts->visible_page > 0;
    long long left = visible ? opts->visible_page : 1;
    size_t visited = 0;
    uint32_t page_num = 0;
    int page_gen = 0;
    pdf_value *page = nth_page(doc, pdf_dict_get(catalog, "Pages"), &left, 0, &visited,
                               &page_num, &page_gen);
    if (!page || page->type != PDF_DICT)
        return visible ? sign_seterr(ctx, SIGN_EINVAL, "visible signature: the PDF has no page %d",
                                     opts->visible_page)
                       : sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable first page");

    uint32_t next = pdf_next_num(doc);
    uint32_t sig_num = next, field_num = next + 1, ap_num = next + 2, font_num = next + 3;
    pdf_value *field_ref = pdf_ref(doc, field_num, 0);

    /* AcroForm (12.7.2): Fields gains the new field; SigFlags 3 = SignaturesExist|AppendOnly */
    pdf_value *acroform_entry = pdf_dict_get(catalog, "AcroForm");
    pdf_value *acroform = pdf_resolve(doc, acroform_entry, SIZE_MAX);
    if (acroform && acroform->type != PDF_DICT)
        acroform = NULL;
    pdf_value *fields = pdf_resolve(doc, pdf_dict_get(acroform, "Fields"), SIZE_MAX);
    char field_name[32];
    unique_field_name(doc, fields, kind == PADES_SIGNATURE ? "Signature" : "DocTimeStamp",
                      field_name, sizeof field_name);
    pdf_value *new_acroform = pdf_dict_with(doc, acroform, "Fields", array_plus(doc, fields, field_ref));
    new_acroform = new_acroform ? pdf_dict_with(doc, new_acroform, "SigFlags", pdf_int(doc, 3)) : NULL;
    pdf_value *annots = pdf_resolve(doc, pdf_dict_get(page, "Annots"), SIZE_MAX);
    pdf_value *new_page = pdf_dict_with(doc, page, "Annots", array_plus(doc, annots, field_ref));
    if (!new_acroform || !new_page)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");

    time_t when = opts->signing_time != (time_t)-1 ? opts->signing_time : time(NULL);
    pades_begin_object(u, sig_num, 0);
    if (kind == PADES_SIGNATURE) {
        /* the signature dictionary (12.8.1, EN 319 142-1 5.3) */
        char date[32];
        pdf_date(date, sizeof date, when);
        pdf_buf_printf(&u->out, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
                                " /M (%s)\n", date);
        const char *const names[3] = {"Reason", "Location", "ContactInfo"};
        const char *const values[3] = {opts->reason, opts->location, opts->contact};
        for (int i = 0; i < 3; i++)
            if (values[i] && *values[i]) {
                pdf_buf_printf(&u->out, "/%s ", names[i]);
                pades_write_text_string(&u->out, values[i]);
                pdf_buf_printf(&u->out, "\n");
            }
    } else {
        /* EN 319 142-1 5.4.3 document time-stamp (ISO 32000-2 12.8.5) */
        pdf_buf_printf(&u->out, "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite"
                                " /SubFilter /ETSI.RFC3161\n");
    }
    pades_write_placeholders(u, contents_bytes);
    pdf_buf_printf(&u->out, "\n>>\nendobj\n");

    /* the field merged with its widget annotation (12.5.6.19, 12.7.4.5), flags Print (4) and
     * Locked (128); invisible: a zero rectangle */
    pades_begin_object(u, field_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /V %u 0 R /F 132 ",
                   field_name, sig_num);
    if (visible) {
        const double *r = opts->visible_rect;
        pdf_buf_printf(&u->out, "/Rect [%.2f %.2f %.2f %.2f] /AP << /N %u 0 R >> ", r[0], r[1],
                       r[0] + r[2], r[1] + r[3], ap_num);
    } else {
        pdf_buf_printf(&u->out, "/Rect [0 0 0 0] ");
    }
    pdf_buf_printf(&u->out, "/P %u %d R >>\nendobj\n", page_num, page_gen);
    if (visible)
        pades_write_appearance(u, ap_num, font_num, opts->visible_rect, key ? key->cert : NULL,
                               when);

    pades_write_object(u, page_num, page_gen, new_page);
    if (acroform_entry && acroform_entry->type == PDF_REF && acroform) {
        pades_write_object(u, (uint32_t)acroform_entry->num, acroform_entry->gen, new_acroform);
    } else {
        /* A new or direct AcroForm becomes an object of its own, referenced from the catalog:
         * other signers (poppler's pdfsig) add their fields to the Fields of an indirect
         * AcroForm but lose them on a direct one. */
        uint32_t acroform_num = next + 4;
        pades_write_object(u, acroform_num, 0, new_acroform);
        pdf_value *new_catalog = pdf_dict_with(doc, catalog, "AcroForm", pdf_ref(doc, acroform_num, 0));
        if (!new_catalog)
            return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        pades_write_object(u, (uint32_t)root->num, root->gen, new_catalog);
    }
    if (pades_update_finish(u) != 0)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    *sig_num_out = sig_num;
    return SIGN_OK;
}
