/* A new signature or document-timestamp field's revision (ISO 32000-1 12.7.4.5, 12.8;
 * EN 319 142-1 5.3, 5.4.3): the signature dictionary with its /ByteRange and /Contents
 * placeholders, the field merged with its widget on a page, the updated page, AcroForm and
 * catalog, then the cross-reference section. The same revision serves signing (pades_sign.c) and
 * document timestamps (pades_ltv.c), and so do the digests allowed for what goes in it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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

/* A number (integer or real), or NAN. */
static double number(const pdf_value *v)
{
    if (v && v->type == PDF_INT)
        return (double)v->num;
    if (v && v->type == PDF_REAL && v->bytes) {
        char text[64];
        size_t n = v->len < sizeof text - 1 ? v->len : sizeof text - 1;
        memcpy(text, v->bytes, n);
        text[n] = '\0';
        char *end;
        double d = strtod(text, &end);
        return *end ? NAN : d;
    }
    return NAN;
}

/* A rectangle (7.9.5) as {llx, lly, urx, ury}, normalised; 0, or -1 when box is not one. */
static int read_rect(pdf_doc *doc, pdf_value *box, double r[4])
{
    box = pdf_resolve(doc, box, SIZE_MAX);
    if (!box || box->type != PDF_ARRAY || box->count != 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!isfinite(r[i] = number(pdf_resolve(doc, box->items[i], SIZE_MAX))))
            return -1;
    for (int i = 0; i < 2; i++)
        if (r[i] > r[i + 2]) {
            double t = r[i];
            r[i] = r[i + 2];
            r[i + 2] = t;
        }
    return 0;
}

/* An inheritable page attribute (7.7.3.4): the page's own, or its nearest ancestor's. */
static pdf_value *inherited(pdf_doc *doc, pdf_value *page, const char *key)
{
    for (int depth = 0; page && page->type == PDF_DICT && depth < 64; depth++) {
        pdf_value *v = pdf_dict_get(page, key);
        if (v)
            return v;
        page = pdf_resolve(doc, pdf_dict_get(page, "Parent"), SIZE_MAX);
    }
    return NULL;
}

/* The part of the page a reader shows (14.11.2): the crop box within the media box. 0 or -1. */
static int visible_area(pdf_doc *doc, pdf_value *page, double area[4])
{
    if (read_rect(doc, inherited(doc, page, "MediaBox"), area) != 0)
        return -1;
    double crop[4];
    if (read_rect(doc, inherited(doc, page, "CropBox"), crop) == 0) {
        area[0] = fmax(area[0], crop[0]);
        area[1] = fmax(area[1], crop[1]);
        area[2] = fmin(area[2], crop[2]);
        area[3] = fmin(area[3], crop[3]);
    }
    return area[0] < area[2] && area[1] < area[3] ? 0 : -1;
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

    const double *r = opts->visible_rect;
    if (visible) {
        /* the box on the page: a signature a reader never shows would mislead whoever looks */
        double area[4];
        if (visible_area(doc, page, area) != 0)
            return sign_seterr(ctx, SIGN_EPARSE, "visible signature: page %d has no readable "
                                                 "/MediaBox", opts->visible_page);
        const double slack = 0.005; /* the rectangle is written with two decimals */
        if (!(isfinite(r[0]) && isfinite(r[1]) && r[2] > 0 && r[3] > 0 && r[0] >= area[0] - slack &&
              r[1] >= area[1] - slack && r[0] + r[2] <= area[2] + slack &&
              r[1] + r[3] <= area[3] + slack))
            return sign_seterr(ctx, SIGN_EINVAL, "visible signature: the box %g,%g,%g,%g is not "
                                                 "inside page %d, which spans x %g..%g, y %g..%g",
                               r[0], r[1], r[2], r[3], opts->visible_page, area[0], area[2],
                               area[1], area[3]);
    }

    uint32_t next = pdf_next_num(doc);
    uint32_t sig_num = next, field_num = next + 1, acroform_num = next + 2;
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
    int acroform_in_place = acroform_entry && acroform_entry->type == PDF_REF && acroform;
    uint32_t ap_num = acroform_in_place ? acroform_num : acroform_num + 1;

    time_t when = opts->signing_time != (time_t)-1 ? opts->signing_time : time(NULL);
    if (visible) {
        /* before the signature dictionary: a box too small for its text stops signing here */
        uint32_t after_appearance;
        int rc = pades_write_appearance(ctx, u, ap_num, opts, key ? key->cert : NULL, when,
                                        &after_appearance);
        if (rc != SIGN_OK)
            return rc;
    }

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
        pdf_buf_printf(&u->out, "/Rect [%.2f %.2f %.2f %.2f] /AP << /N %u 0 R >> ", r[0], r[1],
                       r[0] + r[2], r[1] + r[3], ap_num);
    } else {
        pdf_buf_printf(&u->out, "/Rect [0 0 0 0] ");
    }
    pdf_buf_printf(&u->out, "/P %u %d R >>\nendobj\n", page_num, page_gen);

    pades_write_object(u, page_num, page_gen, new_page);
    if (acroform_in_place) {
        pades_write_object(u, (uint32_t)acroform_entry->num, acroform_entry->gen, new_acroform);
    } else {
        /* A new or direct AcroForm becomes an object of its own, referenced from the catalog:
         * other signers (poppler's pdfsig) add their fields to the Fields of an indirect
         * AcroForm but lose them on a direct one. */
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
