/* Modification analysis: what the revisions after a signature changed (ISO 32000-1 12.8.2.2,
 * EN 319 142-1 5.4). Fail closed: the state after the signature is compared object by object
 * with the state it signed, and anything that is not clearly one of these is reported:
 *   - a new signature field with its widget and value (Fields and the page's Annots grow by it,
 *     SigFlags may be set, an empty signature field may get its value and appearance),
 *   - a document security store (/DSS, /Extensions in the catalog, DSS objects),
 *   - document timestamps (signature fields too),
 *   - the document information dictionary and the catalog's XMP metadata stream, as signing
 *     tools update them (metadata only, never rendered; warned).
 * Bytes after the signed revision must all belong to later revisions' objects and
 * cross-reference sections (no objects hidden outside the cross-reference data). */
#include <stdlib.h>
#include <string.h>
#include "pades.h"

#define MAX_CHANGED 100000

struct diff {
    pdf_doc *doc;
    size_t signed_end;
    int docmdp;
    sign_sig *sig;
    int failed;
    pdf_value *old_catalog;
};

static void reject(struct diff *d, const char *what, uint32_t num)
{
    if (d->failed++ < 5) { /* a few reasons are enough */
        sign_sig_fail(d->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "changed after signing: %s (object %u)", what, num);
        if (num)
            sign_sig_add_modification_detail(d->sig, "not allowed: %s (object %u)", what, num);
        else
            sign_sig_add_modification_detail(d->sig, "not allowed: %s", what);
    }
}

/* ---------------------------------------------------------------- bytes after the revision */

struct span {
    size_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Every byte after signed_end is white space, a comment, an object a later section points
 * to, a later section, or "startxref N". */
static void check_tail(struct diff *d)
{
    pdf_doc *doc = d->doc;
    size_t cap = 16, count = 0;
    struct span *spans = malloc(cap * sizeof *spans);
    for (size_t i = 0; spans && i < doc->section_count; i++) {
        const struct pdf_section *s = &doc->sections[i];
        if (s->offset < d->signed_end)
            continue;
        for (size_t k = 0; spans && k <= s->count; k++) {
            struct span one;
            if (k == s->count) {
                one.start = s->offset;
                one.end = s->end;
            } else {
                const struct pdf_xref_entry *e = &s->entries[k];
                uint32_t num;
                int gen;
                if (e->kind != 1 || e->where < d->signed_end)
                    continue;
                if (!pdf_parse_indirect(doc, (size_t)e->where, &num, &gen, &one.end, SIZE_MAX))
                    continue;
                one.start = (size_t)e->where;
            }
            if (count == cap) {
                cap *= 2;
                struct span *grown = realloc(spans, cap * sizeof *grown);
                if (!grown) {
                    free(spans);
                    spans = NULL;
                    break;
                }
                spans = grown;
            }
            spans[count++] = one;
        }
    }
    if (!spans) {
        reject(d, "cannot account for the bytes after the signed revision", 0);
        return;
    }
    qsort(spans, count, sizeof *spans, span_cmp);
    size_t pos = d->signed_end, next = 0;
    for (;;) {
        pdf_skip_ws(doc, &pos);
        if (pos >= doc->size)
            break;
        while (next < count && spans[next].start < pos)
            next++;
        if (next < count && spans[next].start == pos) {
            pos = spans[next].end;
            continue;
        }
        if (pdf_at_keyword(doc, pos, "startxref")) {
            pos += 9;
            pdf_skip_ws(doc, &pos);
            while (pos < doc->size && doc->data[pos] >= '0' && doc->data[pos] <= '9')
                pos++;
            continue;
        }
        sign_sig_fail(d->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "bytes after the signed revision at offset %zu are not part of any "
                      "later revision's cross-reference data",
                      pos);
        sign_sig_add_modification_detail(d->sig, "not allowed: bytes at offset %zu outside any "
                                                 "revision's cross-reference data", pos);
        d->failed++;
        break;
    }
    free(spans);
}

/* ---------------------------------------------------------------- objects */

static pdf_value *old_of(struct diff *d, pdf_value *v)
{
    return pdf_resolve(d->doc, v, d->signed_end);
}

static pdf_value *new_of(struct diff *d, pdf_value *v)
{
    return pdf_resolve(d->doc, v, SIZE_MAX);
}

static int ref_num(const pdf_value *v, uint32_t num)
{
    return v && v->type == PDF_REF && v->num == (long long)num;
}

/* The keys of a and b other than those allowed to differ have equal values. */
static int same_except(const pdf_doc *doc, const pdf_value *a, const pdf_value *b,
                       const char *const *allowed)
{
    const pdf_value *pair[2] = {a, b};
    for (int side = 0; side < 2; side++) {
        const pdf_value *x = pair[side], *y = pair[1 - side];
        for (size_t i = 0; i < x->count; i++) {
            char key[128];
            if (x->keys[i]->len >= sizeof key)
                return 0;
            memcpy(key, x->keys[i]->bytes, x->keys[i]->len);
            key[x->keys[i]->len] = '\0';
            int skip = 0;
            for (size_t k = 0; allowed[k]; k++)
                skip |= strcmp(key, allowed[k]) == 0;
            if (!skip && !pdf_equal(doc, pdf_dict_get(x, key), pdf_dict_get(y, key)))
                return 0;
        }
    }
    return 1;
}

static int is_sig_field(struct diff *d, pdf_value *field)
{
    for (int depth = 0; field && field->type == PDF_DICT && depth < 16; depth++) {
        pdf_value *ft = pdf_dict_get(field, "FT");
        if (ft)
            return pdf_is_name(ft, "Sig");
        field = new_of(d, pdf_dict_get(field, "Parent"));
    }
    return 0;
}

/* Whether item is listed in the /Kids of a signature field of the new AcroForm (a widget
 * without /Parent, as some writers make them). */
static int kid_of_sig_field(struct diff *d, pdf_value *item)
{
    pdf_value *trailer = pdf_trailer(d->doc, SIZE_MAX);
    pdf_value *catalog = new_of(d, pdf_dict_get(trailer, "Root"));
    pdf_value *fields = new_of(d, pdf_dict_get(new_of(d, pdf_dict_get(catalog, "AcroForm")), "Fields"));
    for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count && i < 10000; i++) {
        pdf_value *field = new_of(d, fields->items[i]);
        if (!field || field->type != PDF_DICT || !pdf_is_name(pdf_dict_get(field, "FT"), "Sig"))
            continue;
        pdf_value *kids = new_of(d, pdf_dict_get(field, "Kids"));
        for (size_t k = 0; kids && kids->type == PDF_ARRAY && k < kids->count; k++)
            if (pdf_equal(d->doc, kids->items[k], item))
                return 1;
    }
    return 0;
}

/* An added widget of a signature field. A certified document admits only invisible ones: a
 * visible signature appearance can paint over certified content (the "sneaky signature"). */
static int is_allowed_new_widget(struct diff *d, pdf_value *item)
{
    pdf_value *annot = new_of(d, item);
    if (!annot || annot->type != PDF_DICT || !pdf_is_name(pdf_dict_get(annot, "Subtype"), "Widget") ||
        (!is_sig_field(d, annot) && !kid_of_sig_field(d, item)))
        return 0;
    if (d->docmdp) {
        pdf_value *rect = new_of(d, pdf_dict_get(annot, "Rect"));
        if (!rect || rect->type != PDF_ARRAY || rect->count != 4)
            return 0;
        for (int i = 0; i < 2; i++) {
            const pdf_value *lo = rect->items[i], *hi = rect->items[i + 2];
            if (lo->type == PDF_INT && hi->type == PDF_INT && lo->num == hi->num)
                return 1;
        }
        return 0;
    }
    return 1;
}

/* The new array keeps the old items in order and appends only allowed ones. */
static int grows_by(struct diff *d, pdf_value *old_arr, pdf_value *new_arr, int widgets)
{
    size_t old_count = old_arr && old_arr->type == PDF_ARRAY ? old_arr->count : 0;
    if (!new_arr || new_arr->type != PDF_ARRAY || new_arr->count < old_count)
        return 0;
    for (size_t i = 0; i < old_count; i++)
        if (!pdf_equal(d->doc, old_arr->items[i], new_arr->items[i]))
            return 0;
    for (size_t i = old_count; i < new_arr->count; i++) {
        pdf_value *item = new_arr->items[i];
        if (widgets ? !is_allowed_new_widget(d, item) : !is_sig_field(d, new_of(d, item)))
            return 0;
    }
    return 1;
}

static int acroform_ok(struct diff *d, pdf_value *old_af, pdf_value *new_af)
{
    /* Fields may grow by signature fields and SigFlags be set; default resources (/DR) may be
     * added where there were none (pdfsig adds its font for a new field), but never changed:
     * existing fields whose appearances a viewer regenerates would then look different. */
    static const char *const allowed[] = {"Fields", "SigFlags", NULL};
    static const char *const allowed_new_dr[] = {"Fields", "SigFlags", "DR", NULL};
    if (!new_af || new_af->type != PDF_DICT)
        return 0;
    int adds_dr = old_af && old_af->type == PDF_DICT && !pdf_dict_get(old_af, "DR");
    if (old_af && old_af->type == PDF_DICT &&
        !same_except(d->doc, old_af, new_af, adds_dr ? allowed_new_dr : allowed))
        return 0;
    return grows_by(d, old_of(d, pdf_dict_get(old_af, "Fields")),
                    new_of(d, pdf_dict_get(new_af, "Fields")), 0);
}

/* Why object num (which the signed revision had as old) may be new now; NULL if it may not. */
static const char *allowed_change(struct diff *d, uint32_t num, pdf_value *old, pdf_value *new)
{
    pdf_doc *doc = d->doc;
    pdf_value *old_trailer = pdf_trailer(doc, d->signed_end);
    if (old->type != new->type)
        return NULL;
    if (ref_num(pdf_dict_get(old_trailer, "Root"), num)) {
        static const char *const allowed[] = {"AcroForm", "DSS", "Extensions", "Metadata",
                                              "Version", NULL};
        if (!same_except(doc, old, new, allowed))
            return NULL;
        pdf_value *old_af = old_of(d, pdf_dict_get(old, "AcroForm"));
        pdf_value *new_af = new_of(d, pdf_dict_get(new, "AcroForm"));
        pdf_value *old_entry = pdf_dict_get(old, "AcroForm"), *new_entry = pdf_dict_get(new, "AcroForm");
        /* an indirect AcroForm that stays the same object is judged as that object */
        if (old_entry && new_entry && old_entry->type == PDF_REF && pdf_equal(doc, old_entry, new_entry))
            return "catalog";
        return acroform_ok(d, old_af, new_af) ? "catalog" : NULL;
    }
    pdf_value *old_af_entry = pdf_dict_get(d->old_catalog, "AcroForm");
    if (ref_num(old_af_entry, num))
        return acroform_ok(d, old, new) ? "AcroForm" : NULL;
    pdf_value *old_af = old_of(d, old_af_entry);
    if (ref_num(pdf_dict_get(old_af, "Fields"), num))
        return grows_by(d, old, new, 0) ? "AcroForm fields" : NULL;
    if (ref_num(pdf_dict_get(d->old_catalog, "Extensions"), num))
        return "Extensions";
    if (ref_num(pdf_dict_get(d->old_catalog, "Metadata"), num) && old->type == PDF_STREAM) {
        sign_sig_warn(d->sig, "the XMP metadata changed after signing");
        return "Metadata";
    }
    if (ref_num(pdf_dict_get(old_trailer, "Info"), num)) {
        sign_sig_warn(d->sig, "the document information dictionary changed after signing");
        return "Info";
    }
    if (old->type == PDF_DICT && pdf_is_name(pdf_dict_get(old, "Type"), "Page")) {
        static const char *const allowed[] = {"Annots", NULL};
        return same_except(doc, old, new, allowed) &&
                       grows_by(d, old_of(d, pdf_dict_get(old, "Annots")),
                                new_of(d, pdf_dict_get(new, "Annots")), 1)
                   ? "page annotations"
                   : NULL;
    }
    if (old->type == PDF_ARRAY) /* an indirect /Annots array of a page */
        return grows_by(d, old, new, 1) ? "annotations" : NULL;
    if (old->type == PDF_DICT && is_sig_field(d, old) && !pdf_dict_get(old, "V")) {
        /* an empty signature field is signed: it gets its value and appearance */
        static const char *const allowed[] = {"V", "AP", "AS", "F", NULL};
        pdf_value *value = new_of(d, pdf_dict_get(new, "V"));
        return same_except(doc, old, new, allowed) && value && value->type == PDF_DICT &&
                       pdf_dict_get(value, "ByteRange")
                   ? "signature field"
                   : NULL;
    }
    pdf_value *dss_entry = pdf_dict_get(d->old_catalog, "DSS");
    pdf_value *dss = old_of(d, dss_entry);
    if (ref_num(dss_entry, num) || pdf_is_name(pdf_dict_get(old, "Type"), "DSS") ||
        pdf_is_name(pdf_dict_get(old, "Type"), "VRI"))
        return "DSS";
    static const char *const dss_keys[] = {"Certs", "OCSPs", "CRLs", "VRI", NULL};
    for (size_t k = 0; dss && dss_keys[k]; k++)
        if (ref_num(pdf_dict_get(dss, dss_keys[k]), num))
            return "DSS";
    return NULL;
}

static int num_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static const char *describe(pdf_value *old)
{
    pdf_value *type = pdf_dict_get(old, "Type");
    if (pdf_is_name(type, "Page"))
        return "a page";
    if (pdf_is_name(type, "Pages"))
        return "the page tree";
    if (old->type == PDF_STREAM)
        return "a stream (page content, image, font or appearance)";
    if (pdf_dict_get(old, "FT") || pdf_dict_get(old, "Subtype"))
        return "a form field or annotation";
    return "an object the signed revision uses";
}

/* What an object added after the signature is, for the report; NULL: not worth a line. */
static const char *describe_added(pdf_value *v)
{
    pdf_value *type = v ? pdf_dict_get(v, "Type") : NULL;
    if (pdf_is_name(type, "DocTimeStamp"))
        return "document timestamp added";
    if (pdf_is_name(type, "Sig"))
        return "signature added";
    if (pdf_is_name(type, "DSS"))
        return "document security store (DSS) added";
    return NULL;
}

/* How many revisions follow the signature. Later revisions that only add validation data (a
 * DSS, document timestamps: what B-LT and B-LTA add) ask nothing of the reader, so they are
 * information; any other later revision is worth a warning, even an allowed one. */
static void note_later_revisions(sign_sig *sig, size_t later, int validation_data_only)
{
    if (validation_data_only)
        sign_sig_info(sig, "%zu revision%s after this signature, adding validation data only",
                      later, later == 1 ? "" : "s");
    else
        sign_sig_warn(sig, "%zu revision%s after this signature", later, later == 1 ? "" : "s");
}

void pades_check_modifications(pdf_doc *doc, size_t signed_end, int docmdp, sign_sig *sig)
{
    struct diff d = {.doc = doc, .signed_end = signed_end, .docmdp = docmdp, .sig = sig};
    size_t later = 0, total = 0;
    for (size_t i = 0; i < doc->section_count; i++)
        if (doc->sections[i].offset >= signed_end) {
            later++;
            total += doc->sections[i].count;
        }
    if (later == 0) {
        size_t pos = signed_end;
        pdf_skip_ws(doc, &pos);
        if (pos < doc->size) {
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "bytes after the signed revision at offset %zu are not a revision",
                          pos);
            sign_sig_set_modification(sig, "disallowed");
            sign_sig_add_modification_detail(sig, "not allowed: bytes at offset %zu after the "
                                                  "signed revision are not a revision", pos);
        } else {
            sign_sig_set_modification(sig, "none");
        }
        return;
    }
    if (docmdp == 1) {
        note_later_revisions(sig, later, 0);
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "certified with no changes permitted (DocMDP P=1), but the document has "
                      "later revisions");
        sign_sig_set_modification(sig, "disallowed");
        sign_sig_add_modification_detail(sig, "not allowed: %zu later revision%s of a document "
                                              "certified with no changes permitted (DocMDP P=1)",
                                          later, later == 1 ? "" : "s");
        return;
    }
    check_tail(&d);

    pdf_value *old_trailer = pdf_trailer(doc, signed_end), *new_trailer = pdf_trailer(doc, SIZE_MAX);
    if (!pdf_equal(doc, pdf_dict_get(old_trailer, "Root"), pdf_dict_get(new_trailer, "Root")))
        reject(&d, "the trailer points to another document catalog", 0);
    if (pdf_dict_get(new_trailer, "Encrypt"))
        reject(&d, "encryption was added", 0);
    d.old_catalog = old_of(&d, pdf_dict_get(old_trailer, "Root"));

    if (total > MAX_CHANGED) {
        note_later_revisions(sig, later, 0);
        reject(&d, "too many objects in later revisions to analyse", 0);
        sign_sig_set_modification(sig, "disallowed");
        return;
    }
    uint32_t *nums = malloc((total ? total : 1) * sizeof *nums);
    if (!nums) {
        note_later_revisions(sig, later, 0);
        reject(&d, "out of memory", 0);
        sign_sig_set_modification(sig, "disallowed");
        return;
    }
    size_t added_other = 0;
    int other_than_validation_data = 0; /* a signature, metadata or info changed or added */
    size_t n = 0;
    for (size_t i = 0; i < doc->section_count; i++)
        if (doc->sections[i].offset >= signed_end)
            for (size_t k = 0; k < doc->sections[i].count; k++)
                nums[n++] = doc->sections[i].entries[k].num;
    qsort(nums, n, sizeof *nums, num_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && nums[i] == nums[i - 1])
            continue;
        uint32_t num = nums[i];
        const struct pdf_xref_entry *old_entry = pdf_entry(doc, num, signed_end);
        pdf_value *old = pdf_get(doc, num, signed_end);
        pdf_value *new = pdf_get(doc, num, SIZE_MAX);
        if (!old_entry || old_entry->kind == 0) {
            /* a new object: it matters only through the changes checked here */
            const char *what = describe_added(new);
            if (new && pdf_is_name(pdf_dict_get(new, "Type"), "Sig"))
                other_than_validation_data = 1;
            if (what)
                sign_sig_add_modification_detail(sig, "%s (object %u)", what, num);
            else if (new)
                added_other++;
            continue;
        }
        if (!old) {
            if (new)
                reject(&d, "an object unreadable in the signed revision was defined later", num);
            continue;
        }
        if (!new) {
            reject(&d, "an object in use was deleted or made unreadable", num);
            continue;
        }
        if (pdf_equal(doc, old, new))
            continue;
        const char *allowed = allowed_change(&d, num, old, new);
        if (!allowed)
            reject(&d, describe(old), num);
        else
            sign_sig_add_modification_detail(sig, "%s updated (object %u)", allowed, num);
        if (allowed && (strcmp(allowed, "Metadata") == 0 || strcmp(allowed, "Info") == 0 ||
                        strcmp(allowed, "signature field") == 0))
            other_than_validation_data = 1;
    }
    free(nums);
    note_later_revisions(sig, later, !d.failed && !other_than_validation_data);
    if (added_other)
        sign_sig_add_modification_detail(sig, "%zu other object%s added (fields, appearances, "
                                              "validation data)",
                                          added_other, added_other == 1 ? "" : "s");
    sign_sig_set_modification(sig, d.failed ? "disallowed" : "allowed");
}
