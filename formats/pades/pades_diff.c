/* Modification analysis, revision by revision (ISO 32000-2 12.8.2.2, EN 319 142-1 5.4), after
 * pyHanko's difference analysis: each object that a revision after a signature adds or changes
 * is explained by a rule, and the rule also says through which references the object may be
 * reached from the trailer (pades_refs.c finds them all). An object with no rule, or reachable
 * through a reference no rule allows (a page's /Contents, another field's /AP), is a change that
 * is not allowed. The rules (named as pyHanko names them, in modification_details):
 *   CatalogModificationRule   the catalog may change only /AcroForm /DSS /Extensions /Metadata
 *                             /Version /Perms (not its /DocMDP) /StructTreeRoot
 *   DSSCompareRule            /DSS and everything new under it (LTA)
 *   DocTimeStampRule          a document timestamp's field, widget and value (LTA)
 *   DocInfoRule, MetadataUpdateRule  /Info, the catalog's XMP stream (form filling; warned)
 *   FormUpdatingRule          /AcroForm: /Fields grows by new fields, /SigFlags, /DR additions
 *   SigFieldCreationRule      a new signature field, its widget, value and appearance
 *   SigFieldModificationRule  an empty signature field gets /V /AP /AS /F
 *   GenericFieldModificationRule  a form field (or its widget kids) gets /V /AP /AS /I
 *   AnnotationRule            notes and text markup added, changed or removed (annotations)
 *   StructTreeRule            structure tree entries for added annotations and widgets
 *   ObjectStreamRule, XrefStreamRule  unreferenced object and cross-reference streams
 * Each rule needs a level: 0 (DSS and document timestamps, 12.8.2.2.2: always allowed), 2 (form
 * filling and signing), 3 (annotations). The level in force (pades_mdp.c) is the strictest of
 * the DocMDP and lock permissions of the signatures before the revision; none is like 3, and
 * every change is reported. Bytes after the signed revision must all belong to later revisions'
 * objects and cross-reference sections (no objects hidden outside the cross-reference data). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades.h"

#define MAX_CHANGED 100000
#define MAX_FIELD_NODES 10000
#define MAX_PAGES 100000
#define ANY_FROM UINT32_MAX
/* objects traced over all revisions of a file: many revisions of a large document would
 * otherwise cost revisions times objects */
#define MAX_TRACED 20000000

enum level { LEVEL_LTA = 0, LEVEL_FORM = 2, LEVEL_ANNOT = 3 };

/* One object the revision adds or changes. */
struct item {
    uint32_t num;
    int added;
    const char *rule;           /* the rule that explains it, NULL: none yet */
    char what[96];
    int level;
    char refused[200];          /* why a rule refused it */
    int propagated;             /* explained through a grant, not named by a rule */
    int pinned;                 /* its rule compared it with what it was: reachable from anywhere */
};

struct approval {
    uint32_t to, from;          /* from ANY_FROM: any object */
    const char *key;            /* the edge's key path, or its first part */
};

struct grant {
    uint32_t from;
    const char *key;            /* NULL: every key */
    const char *rule;
    int level;
};

struct line {
    int kind;                   /* 0 allowed, 1 not allowed, 2 warning */
    char *text;
};

/* The analysis of one revision: the state made by cross-reference section `section` against
 * the state before it. */
struct rev {
    int done;
    int failed;
    int beyond_validation_data; /* it changes more than a DSS and document timestamps allow */
    struct line *lines;
    size_t line_count;
};

struct pades_changes {
    pdf_doc *doc;
    const pades_perms *perms;
    struct rev *revs;           /* by section index */
    size_t traced;              /* objects traced so far, up to MAX_TRACED */
};

/* Working state of one revision's analysis. */
struct walk {
    pdf_doc *doc;
    const pades_perms *perms;
    size_t old_limit, new_limit, at;
    pades_refs *refs;
    struct item *items;
    size_t item_count;
    struct approval *approvals;
    size_t approval_count, approval_cap;
    struct grant *grants;
    size_t grant_count, grant_cap;
    struct rev *out;
    int level_allowed;          /* 1..3 */
    uint32_t level_by;
    const char *level_kind;
    int certified;              /* a DocMDP is in force */
    pdf_value *old_catalog, *new_catalog;
    uint32_t catalog_num;
};

static void add_line(struct rev *r, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line(struct rev *r, int kind, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (kind == 1)
        r->failed++;
    struct line *grown = realloc(r->lines, (r->line_count + 1) * sizeof *grown);
    if (!grown) {
        r->failed++;
        return;
    }
    r->lines = grown;
    r->lines[r->line_count].kind = kind;
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    if (!copy) {
        r->failed++;
        return;
    }
    memcpy(copy, text, len);
    r->lines[r->line_count].text = copy;
    r->line_count++;
}

static pdf_value *old_of(struct walk *w, pdf_value *v) { return pdf_resolve(w->doc, v, w->old_limit); }
static pdf_value *new_of(struct walk *w, pdf_value *v) { return pdf_resolve(w->doc, v, w->new_limit); }

static uint32_t ref_of(const pdf_value *v)
{
    return v && v->type == PDF_REF && v->num > 0 && v->num < UINT32_MAX ? (uint32_t)v->num : 0;
}

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num;
}

static struct item *item_of(const struct walk *w, uint32_t num)
{
    struct item key = {.num = num};
    return num ? bsearch(&key, w->items, w->item_count, sizeof key, item_cmp) : NULL;
}

/* Item num (if the revision adds or changes it) is explained by rule at level; it may be
 * reached only through references a rule approves, unless pin() says its rule checked it
 * against what it was (a page whose /Annots alone changed is the same page wherever used). */
static struct item *explain(struct walk *w, uint32_t num, const char *rule, int level,
                            const char *what)
{
    struct item *it = item_of(w, num);
    if (!it || it->rule)
        return it;
    it->rule = rule;
    it->level = level;
    snprintf(it->what, sizeof it->what, "%s", what);
    return it;
}

static void pin(struct walk *w, uint32_t num)
{
    struct item *it = item_of(w, num);
    if (it && !it->added)
        it->pinned = 1;
}

static void refuse(struct walk *w, uint32_t num, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct walk *w, uint32_t num, const char *rule, const char *fmt, ...)
{
    struct item *it = item_of(w, num);
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!it) { /* a rule refused something that is not an object of the revision */
        add_line(w->out, 1, "not allowed (%s): %s", rule, text);
        return;
    }
    if (!it->refused[0]) {
        snprintf(it->refused, sizeof it->refused, "%s", text);
        it->rule = rule;
    }
}

static void approve(struct walk *w, uint32_t to, uint32_t from, const char *key)
{
    if (!to || !item_of(w, to))
        return; /* only references to what the revision adds or changes need approval */
    if (w->approval_count == w->approval_cap) {
        size_t cap = w->approval_cap ? w->approval_cap * 2 : 64;
        struct approval *grown = realloc(w->approvals, cap * sizeof *grown);
        if (!grown)
            return; /* fail closed: the reference stays unapproved */
        w->approvals = grown;
        w->approval_cap = cap;
    }
    w->approvals[w->approval_count++] = (struct approval){.to = to, .from = from, .key = key};
}

/* References from object `from` under key (NULL: any key) are the rule's: new objects reached
 * through them are explained by it (and grant their own references in turn), and changed ones may
 * be reached through them (they still need a rule of their own). */
static void grant(struct walk *w, uint32_t from, const char *key, const char *rule, int level)
{
    if (!from)
        return;
    if (w->grant_count == w->grant_cap) {
        size_t cap = w->grant_cap ? w->grant_cap * 2 : 64;
        struct grant *grown = realloc(w->grants, cap * sizeof *grown);
        if (!grown)
            return;
        w->grants = grown;
        w->grant_cap = cap;
    }
    w->grants[w->grant_count++] = (struct grant){.from = from, .key = key, .rule = rule, .level = level};
}

static int key_matches(const char *edge_key, const char *key)
{
    size_t n = strlen(key);
    return strncmp(edge_key, key, n) == 0 && (edge_key[n] == '\0' || edge_key[n] == '/');
}

static const struct grant *granted(const struct walk *w, const struct pades_edge *e)
{
    for (size_t i = 0; i < w->grant_count; i++) {
        const struct grant *g = &w->grants[i];
        if (g->from == e->from && (!g->key || key_matches(e->key, g->key))) {
            const struct item *owner = item_of((struct walk *)w, e->from);
            return owner && owner->refused[0] ? NULL : g;
        }
    }
    return NULL;
}

static int approved(const struct walk *w, const struct pades_edge *e)
{
    for (size_t i = 0; i < w->approval_count; i++) {
        const struct approval *a = &w->approvals[i];
        if (a->to == e->to && (a->from == ANY_FROM || a->from == e->from) &&
            key_matches(e->key, a->key))
            return 1;
    }
    return granted(w, e) != NULL;
}

/* dict's value under the name key (a name may hold any byte, #00 too: not a C string). */
static pdf_value *dict_get_name(const pdf_value *dict, const pdf_value *key)
{
    for (size_t i = 0; dict && (dict->type == PDF_DICT || dict->type == PDF_STREAM) && i < dict->count; i++)
        if (dict->keys[i]->len == key->len && memcmp(dict->keys[i]->bytes, key->bytes, key->len) == 0)
            return dict->items[i]->type == PDF_NULL ? NULL : dict->items[i];
    return NULL;
}

/* The keys of a and b other than those allowed to differ have equal values. */
static int same_except(const pdf_doc *doc, const pdf_value *a, const pdf_value *b,
                       const char *const *allowed)
{
    if (!a || !b || (a->type != PDF_DICT && a->type != PDF_STREAM) || a->type != b->type)
        return 0;
    const pdf_value *pair[2] = {a, b};
    for (int side = 0; side < 2; side++) {
        const pdf_value *x = pair[side], *y = pair[1 - side];
        for (size_t i = 0; i < x->count; i++) {
            int skip = 0;
            for (size_t k = 0; allowed[k]; k++)
                skip |= pdf_is_name(x->keys[i], allowed[k]);
            if (!skip && !pdf_equal(doc, dict_get_name(x, x->keys[i]), dict_get_name(y, x->keys[i])))
                return 0;
        }
    }
    return a->type != PDF_STREAM || pdf_equal(doc, a, b); /* stream data never may change */
}

/* One signature's view: the bytes after its revision. */
struct diff {
    pdf_doc *doc;
    size_t signed_end;
    sign_sig *sig;
    int failed;
};

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
        sign_sig_fail(d->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "changed after signing: cannot account for the bytes after the signed revision");
        d->failed++;
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

/* ---------------------------------------------------------------- fields (FormUpdatingRule) */

static int in_array(const pdf_doc *doc, const pdf_value *arr, const pdf_value *v)
{
    for (size_t i = 0; arr && arr->type == PDF_ARRAY && i < arr->count; i++)
        if (pdf_equal(doc, arr->items[i], v))
            return 1;
    return 0;
}


static int is_sig_field(struct walk *w, pdf_value *field)
{
    for (int depth = 0; field && field->type == PDF_DICT && depth < 32; depth++) {
        pdf_value *ft = pdf_dict_get(field, "FT");
        if (ft)
            return pdf_is_name(ft, "Sig");
        field = new_of(w, pdf_dict_get(field, "Parent"));
    }
    return 0;
}

static int is_doc_timestamp(struct walk *w, pdf_value *field)
{
    pdf_value *value = new_of(w, pdf_dict_get(field, "V"));
    return pdf_is_name(pdf_dict_get(value, "Type"), "DocTimeStamp") ||
           pdf_is_name(pdf_dict_get(value, "SubFilter"), "ETSI.RFC3161");
}

/* The fully qualified field name (12.7.4.2): the partial names /T from the root down. */
static void field_name(struct walk *w, pdf_value *field, char *out, size_t size)
{
    const pdf_value *parts[32];
    int n = 0;
    for (; field && field->type == PDF_DICT && n < 32; field = new_of(w, pdf_dict_get(field, "Parent"))) {
        pdf_value *t = pdf_dict_get(field, "T");
        if (t && t->type == PDF_STRING)
            parts[n++] = t;
    }
    size_t len = 0;
    out[0] = '\0';
    while (n-- > 0 && len + 2 < size) {
        int wrote = snprintf(out + len, size - len, "%s%.*s", len ? "." : "",
                             (int)parts[n]->len, (const char *)parts[n]->bytes);
        len += wrote > 0 ? (size_t)wrote : 0;
        if (len >= size)
            len = size - 1;
    }
}

/* A widget with no area (12.7.5.5: an invisible signature). */
static int is_invisible(struct walk *w, pdf_value *annot)
{
    pdf_value *rect = new_of(w, pdf_dict_get(annot, "Rect"));
    if (!rect || rect->type != PDF_ARRAY || rect->count != 4)
        return 0;
    for (int i = 0; i < 2; i++) {
        const pdf_value *lo = rect->items[i], *hi = rect->items[i + 2];
        if (lo->type == PDF_INT && hi->type == PDF_INT && lo->num == hi->num)
            return 1;
    }
    return 0;
}

/* A signature value: a signature dictionary with a ByteRange, as an indirect object. */
static int is_signature_value(struct walk *w, pdf_value *field)
{
    pdf_value *entry = pdf_dict_get(field, "V");
    pdf_value *value = new_of(w, entry);
    return ref_of(entry) && value && value->type == PDF_DICT && pdf_dict_get(value, "ByteRange");
}

static void check_field_node(struct walk *w, pdf_value *entry, uint32_t from, const char *key,
                             int parent_sig, int depth, size_t *visited);

static void check_field_kids(struct walk *w, pdf_value *node, uint32_t num, int sig, int depth,
                             size_t *visited)
{
    pdf_value *kids_entry = pdf_dict_get(node, "Kids");
    pdf_value *kids = new_of(w, kids_entry);
    uint32_t kids_num = ref_of(kids_entry);
    struct item *kids_item = item_of(w, kids_num);
    if (kids_item && !kids_item->added) {
        /* a field keeps its kids (a widget dropped would hide what it showed) */
        pdf_value *old_kids = pdf_get(w->doc, kids_num, w->old_limit);
        for (size_t i = 0; old_kids && old_kids->type == PDF_ARRAY && i < old_kids->count; i++)
            if (!in_array(w->doc, kids, old_kids->items[i]))
                refuse(w, kids_num, "FormUpdatingRule", "a kid of a form field was removed");
    }
    if (kids_num) {
        explain(w, kids_num, "FormUpdatingRule", LEVEL_LTA, "kids of a form field");
        approve(w, kids_num, num, "Kids");
    }
    for (size_t i = 0; kids && kids->type == PDF_ARRAY && i < kids->count; i++)
        check_field_node(w, kids->items[i], kids_num ? kids_num : num, kids_num ? "" : "Kids",
                         sig, depth + 1, visited);
}

static void check_field_node(struct walk *w, pdf_value *entry, uint32_t from, const char *key,
                             int parent_sig, int depth, size_t *visited)
{
    if (depth > 32 || ++*visited > MAX_FIELD_NODES)
        return;
    uint32_t num = ref_of(entry);
    pdf_value *node = new_of(w, entry);
    if (!node || node->type != PDF_DICT)
        return;
    struct item *it = item_of(w, num);
    if (it) {
        approve(w, num, from, key);
        approve(w, num, ANY_FROM, "Parent");     /* from its kids */
        approve(w, num, ANY_FROM, "Obj");        /* a structure element's object reference */
        approve(w, num, ANY_FROM, "K");          /* ... direct in its /K */
    }
    /* a kid without /Parent (some writers make them) is of its parent's type */
    pdf_value *ft = pdf_dict_get(node, "FT");
    int sig = ft || pdf_dict_get(node, "Parent") ? is_sig_field(w, node) : parent_sig;
    check_field_kids(w, node, num, sig, depth, visited);
    if (!it || it->refused[0])
        return;
    int timestamp = sig && is_doc_timestamp(w, node);
    int widget = pdf_is_name(pdf_dict_get(node, "Subtype"), "Widget");
    int level = timestamp ? LEVEL_LTA : LEVEL_FORM;
    pdf_value *old = it->added ? NULL : pdf_get(w->doc, num, w->old_limit);
    char name[256];
    field_name(w, node, name, sizeof name);
    if (!old) {
        /* SigFieldCreationRule: only signature fields may be created after signing */
        if (!sig) {
            refuse(w, num, "FormUpdatingRule", "a new form field '%s' that is not a signature field", name);
            return;
        }
        if (pdf_dict_get(node, "V") && !is_signature_value(w, node)) {
            refuse(w, num, "SigFieldCreationRule", "signature field '%s' whose value is not a signature dictionary", name);
            return;
        }
        if (widget && w->certified && !is_invisible(w, node)) {
            /* the "sneaky signature": a visible widget painted over certified content */
            refuse(w, num, "SigFieldCreationRule", "a visible signature widget '%s' on a certified document", name);
            return;
        }
        explain(w, num, timestamp ? "DocTimeStampRule" : "SigFieldCreationRule", level,
                timestamp ? "document timestamp added" : "signature added");
        snprintf(it->what + strlen(it->what), sizeof it->what - strlen(it->what), " (field '%s')", name);
        grant(w, num, "V", it->rule, level);
        grant(w, num, "AP", it->rule, level);
        grant(w, num, "Lock", it->rule, level);
        grant(w, num, "SV", it->rule, level);
        return;
    }
    uint32_t by = 0;
    const char *kind = NULL;
    if (pades_perms_field_locked(w->perms, w->at, name, &by, &kind)) {
        refuse(w, num, sig ? "SigFieldModificationRule" : "GenericFieldModificationRule",
               "field '%s' is locked by the %s of the signature in object %u", name, kind, by);
        return;
    }
    const char *rule;
    if (widget && !pdf_dict_get(node, "T") && pdf_dict_get(node, "Parent")) {
        /* a widget kid: its appearance follows the value of its field */
        static const char *const keys[] = {"AP", "AS", "StructParent", NULL};
        rule = sig ? "SigFieldModificationRule" : "GenericFieldModificationRule";
        if (!same_except(w->doc, old, node, keys) ||
            (pdf_dict_get(old, "StructParent") &&
             !pdf_equal(w->doc, pdf_dict_get(old, "StructParent"), pdf_dict_get(node, "StructParent")))) {
            refuse(w, num, rule, "widget of field '%s' changed beyond its appearance", name);
            return;
        }
    } else if (sig) {
        static const char *const keys[] = {"V", "AP", "AS", "F", "StructParent", NULL};
        rule = timestamp ? "DocTimeStampRule" : "SigFieldModificationRule";
        if (pdf_dict_get(old, "V") || !is_signature_value(w, node) || !same_except(w->doc, old, node, keys)) {
            refuse(w, num, rule, pdf_dict_get(old, "V") ? "signed signature field '%s' changed"
                                                         : "signature field '%s' changed beyond its value and appearance",
                   name);
            return;
        }
    } else {
        static const char *const keys[] = {"V", "AP", "AS", "I", "StructParent", NULL};
        rule = "GenericFieldModificationRule";
        if (!same_except(w->doc, old, node, keys)) {
            refuse(w, num, rule, "field '%s' changed beyond /V /AP /AS /I", name);
            return;
        }
    }
    explain(w, num, rule, level, sig ? (timestamp ? "document timestamp added" : "signature added") : "form field filled");
    snprintf(it->what + strlen(it->what), sizeof it->what - strlen(it->what), " (field '%s')", name);
    pin(w, num);
    grant(w, num, "V", rule, level);
    grant(w, num, "AP", rule, level);
}

/* The AcroForm: /Fields keeps its fields and grows by new ones, /SigFlags may be set, default
 * resources (/DR) may grow (pdfsig adds its font), but an existing resource never changes:
 * fields whose appearances a viewer regenerates would then look different. */
static int acroform_ok(struct walk *w, pdf_value *old_af, pdf_value *new_af)
{
    static const char *const keys[] = {"Fields", "SigFlags", "DR", "NeedAppearances", NULL};
    if (!new_af || new_af->type != PDF_DICT)
        return 0;
    if (!old_af)
        return 1;
    if (!same_except(w->doc, old_af, new_af, keys))
        return 0;
    if (pdf_is_name(pdf_dict_get(new_af, "NeedAppearances"), "true") != pdf_is_name(pdf_dict_get(old_af, "NeedAppearances"), "true")) {
        pdf_value *na = pdf_dict_get(new_af, "NeedAppearances");
        if (na && !(na->type == PDF_BOOL && na->num == 0))
            return 0; /* a viewer would regenerate every appearance */
    }
    pdf_value *old_fields = old_of(w, pdf_dict_get(old_af, "Fields"));
    pdf_value *new_fields = new_of(w, pdf_dict_get(new_af, "Fields"));
    for (size_t i = 0; old_fields && old_fields->type == PDF_ARRAY && i < old_fields->count; i++) {
        int kept = 0;
        for (size_t k = 0; !kept && new_fields && new_fields->type == PDF_ARRAY && k < new_fields->count; k++)
            kept = pdf_equal(w->doc, old_fields->items[i], new_fields->items[k]);
        if (!kept)
            return 0;
    }
    pdf_value *old_dr = old_of(w, pdf_dict_get(old_af, "DR"));
    pdf_value *new_dr = new_of(w, pdf_dict_get(new_af, "DR"));
    if (old_dr && !pdf_equal(w->doc, old_dr, new_dr)) {
        if (!new_dr || old_dr->type != PDF_DICT || new_dr->type != PDF_DICT)
            return 0;
        for (size_t i = 0; i < old_dr->count; i++) {
            pdf_value *old_sub = old_of(w, old_dr->items[i]);
            pdf_value *new_sub = new_of(w, dict_get_name(new_dr, old_dr->keys[i]));
            if (pdf_equal(w->doc, old_sub, new_sub))
                continue;
            if (!old_sub || !new_sub || old_sub->type != PDF_DICT || new_sub->type != PDF_DICT)
                return 0;
            for (size_t k = 0; k < old_sub->count; k++)
                if (!pdf_equal(w->doc, old_sub->items[k],
                               dict_get_name(new_sub, old_sub->keys[k])))
                    return 0;
        }
    }
    return 1;
}

static void check_form(struct walk *w)
{
    pdf_value *entry = pdf_dict_get(w->new_catalog, "AcroForm");
    pdf_value *new_af = new_of(w, entry);
    uint32_t af_num = ref_of(entry);
    struct item *af_item = item_of(w, af_num), *cat_item = item_of(w, w->catalog_num);
    pdf_value *old_af = old_of(w, pdf_dict_get(w->old_catalog, "AcroForm"));
    if (!new_af)
        return;
    uint32_t fields_ref = ref_of(pdf_dict_get(new_af, "Fields"));
    if (af_item || item_of(w, fields_ref) || (cat_item && !af_num && !pdf_equal(w->doc, old_af, new_af))) {
        if (!acroform_ok(w, old_af, new_af)) {
            refuse(w, af_num ? af_num : w->catalog_num, "FormUpdatingRule",
                   "the interactive form changed beyond /Fields /SigFlags and /DR additions");
            return;
        }
        explain(w, af_num, "FormUpdatingRule", LEVEL_LTA, "interactive form (AcroForm)");
        pin(w, af_num);
    }
    const char *af_key = af_num ? "" : "AcroForm/";
    uint32_t af_holder = af_num ? af_num : w->catalog_num;
    char key[32];
    approve(w, af_num, w->catalog_num, "AcroForm");
    snprintf(key, sizeof key, "%sDR", af_key);
    grant(w, af_holder, af_num ? "DR" : "AcroForm/DR", "FormUpdatingRule", LEVEL_LTA);
    pdf_value *fields_entry = pdf_dict_get(new_af, "Fields");
    uint32_t fields_num = ref_of(fields_entry);
    if (fields_num) {
        explain(w, fields_num, "FormUpdatingRule", LEVEL_LTA, "AcroForm fields");
        pin(w, fields_num);
        approve(w, fields_num, af_holder, af_num ? "Fields" : "AcroForm/Fields");
    }
    pdf_value *fields = new_of(w, fields_entry);
    size_t visited = 0;
    for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count; i++)
        check_field_node(w, fields->items[i], fields_num ? fields_num : af_holder,
                         fields_num ? "" : (af_num ? "Fields" : "AcroForm/Fields"), 0, 0, &visited);
}

/* ---------------------------------------------------------------- pages (AnnotationRule) */

/* Annotations that mark text or hold a note: they do not paint over the page (a note shows an
 * icon). Others (FreeText, Stamp, Square, Ink, ...) can hide signed content: the shadow "hide"
 * attack. */
static int is_allowed_annotation(struct walk *w, const pdf_value *annot)
{
    static const char *const subtypes[] = {"Text", "Popup", "Highlight", "Underline", "Squiggly",
                                           "StrikeOut", "Caret", "FileAttachment", "Sound", NULL};
    pdf_value *subtype = pdf_dict_get(annot, "Subtype");
    int listed = 0;
    for (size_t i = 0; subtypes[i]; i++)
        listed |= pdf_is_name(subtype, subtypes[i]);
    if (!listed || !pdf_dict_get(annot, "AP"))
        return listed;
    /* an appearance of its own paints anything in /Rect: no larger than an icon (64 pt) */
    pdf_value *rect = new_of(w, pdf_dict_get(annot, "Rect"));
    if (!rect || rect->type != PDF_ARRAY || rect->count != 4)
        return 0;
    double v[4];
    for (int i = 0; i < 4; i++) {
        const pdf_value *n = rect->items[i];
        if (n->type == PDF_INT)
            v[i] = (double)n->num;
        else if (n->type == PDF_REAL)
            v[i] = strtod((const char *)n->bytes, NULL);
        else
            return 0;
    }
    double width = v[2] > v[0] ? v[2] - v[0] : v[0] - v[2];
    double height = v[3] > v[1] ? v[3] - v[1] : v[1] - v[3];
    return width <= 64 && height <= 64;
}

static void check_page(struct walk *w, uint32_t num, pdf_value *page)
{
    struct item *it = item_of(w, num);
    pdf_value *old_page = it && !it->added ? pdf_get(w->doc, num, w->old_limit) : page;
    pdf_value *entry = pdf_dict_get(page, "Annots");
    uint32_t arr_num = ref_of(entry);
    pdf_value *annots = new_of(w, entry);
    pdf_value *old_annots = old_of(w, pdf_dict_get(old_page, "Annots"));
    struct item *arr_item = item_of(w, arr_num);
    if (!it && !arr_item) {
        /* the page and its array are as they were: only changed annotations in it matter */
        for (size_t i = 0; annots && annots->type == PDF_ARRAY && i < annots->count; i++) {
            uint32_t a = ref_of(annots->items[i]);
            struct item *ai = item_of(w, a);
            if (!ai)
                continue;
            approve(w, a, arr_num ? arr_num : num, arr_num ? "" : "Annots");
            pdf_value *annot = new_of(w, annots->items[i]);
            if (ai->rule || pdf_is_name(pdf_dict_get(annot, "Subtype"), "Widget"))
                continue;
            if (is_allowed_annotation(w, annot) && !ai->added) {
                explain(w, a, "AnnotationRule", LEVEL_ANNOT, "annotation changed");
                grant(w, a, NULL, "AnnotationRule", LEVEL_ANNOT);
                approve(w, a, ANY_FROM, "Popup");
                approve(w, a, ANY_FROM, "IRT");
                approve(w, a, ANY_FROM, "Parent");
            } else if (!ai->added) {
                refuse(w, a, "AnnotationRule", "an annotation that can paint over signed content changed");
            }
        }
        return;
    }
    if (it && !it->added) {
        static const char *const keys[] = {"Annots", "StructParents", NULL};
        if (!same_except(w->doc, old_page, page, keys) ||
            (pdf_dict_get(old_page, "StructParents") &&
             !pdf_equal(w->doc, pdf_dict_get(old_page, "StructParents"), pdf_dict_get(page, "StructParents")))) {
            refuse(w, num, "AnnotationRule", "a page changed beyond its annotations");
            return;
        }
    }
    int level = LEVEL_LTA;
    size_t removed = 0, added = 0;
    for (size_t i = 0; old_annots && old_annots->type == PDF_ARRAY && i < old_annots->count; i++)
        if (!in_array(w->doc, annots, old_annots->items[i]))
            removed++;
    if (removed)
        level = LEVEL_ANNOT;
    for (size_t i = 0; annots && annots->type == PDF_ARRAY && i < annots->count; i++) {
        pdf_value *item = annots->items[i];
        uint32_t a = ref_of(item);
        struct item *ai = item_of(w, a);
        int is_new = !in_array(w->doc, old_annots, item);
        if (!ai && !is_new)
            continue;
        added += is_new;
        approve(w, a, arr_num ? arr_num : num, arr_num ? "" : "Annots");
        pdf_value *annot = new_of(w, item);
        if (ai && ai->rule) {
            if (!ai->refused[0] && ai->level > level)
                level = ai->level;
            continue;
        }
        if (pdf_is_name(pdf_dict_get(annot, "Subtype"), "Widget")) {
            if (!ai) /* an old widget put on the page: it paints there now */
                refuse(w, num, "AnnotationRule", "a widget of no new or filled field added to a page");
            continue;
        }
        if (!is_allowed_annotation(w, annot)) {
            refuse(w, a ? a : num, "AnnotationRule", "an annotation that can paint over signed content added");
            continue;
        }
        level = LEVEL_ANNOT;
        if (ai) {
            explain(w, a, "AnnotationRule", LEVEL_ANNOT, ai->added ? "annotation added" : "annotation changed");
            grant(w, a, NULL, "AnnotationRule", LEVEL_ANNOT);
            approve(w, a, ANY_FROM, "Popup");
            approve(w, a, ANY_FROM, "IRT");
            approve(w, a, ANY_FROM, "Parent");
            approve(w, a, ANY_FROM, "Obj");
            approve(w, a, ANY_FROM, "K");
        }
    }
    char what[96];
    snprintf(what, sizeof what, "page annotations (%zu added, %zu removed)", added, removed);
    if (it) {
        explain(w, num, "AnnotationRule", level, what);
        pin(w, num);
    }
    if (arr_item) {
        explain(w, arr_num, "AnnotationRule", level, what);
        approve(w, arr_num, num, "Annots");
    }
}

static void check_pages(struct walk *w, pdf_value *entry, int depth, size_t *visited)
{
    pdf_value *node = new_of(w, entry);
    if (!node || node->type != PDF_DICT || depth > 64 || ++*visited > MAX_PAGES)
        return;
    if (pdf_is_name(pdf_dict_get(node, "Type"), "Pages")) {
        pdf_value *kids = new_of(w, pdf_dict_get(node, "Kids"));
        for (size_t i = 0; kids && kids->type == PDF_ARRAY && i < kids->count; i++)
            check_pages(w, kids->items[i], depth + 1, visited);
        return;
    }
    check_page(w, ref_of(entry), node);
}

/* ---------------------------------------------------------------- structure tree (StructTreeRule) */

/* 14.7: the structure tree of a tagged PDF grows with the annotations and widgets added: the
 * root's /K /ParentTree /ParentTreeNextKey, parent tree nodes, structure elements' /K, new
 * structure elements and object references. None of them is rendered. */
static void check_structure(struct walk *w)
{
    uint32_t root = ref_of(pdf_dict_get(w->new_catalog, "StructTreeRoot"));
    struct item *root_item = item_of(w, root);
    if (root_item && !root_item->added) {
        static const char *const keys[] = {"K", "ParentTree", "ParentTreeNextKey", NULL};
        if (!same_except(w->doc, pdf_get(w->doc, root, w->old_limit), pdf_get(w->doc, root, w->new_limit), keys))
            refuse(w, root, "StructTreeRule", "the structure tree root changed beyond /K /ParentTree");
        else
            explain(w, root, "StructTreeRule", LEVEL_FORM, "structure tree root");
        pin(w, root);
    }
    approve(w, root, w->catalog_num, "StructTreeRoot");
    grant(w, root, "ParentTree", "StructTreeRule", LEVEL_FORM);
    for (size_t i = 0; i < w->item_count; i++) {
        struct item *it = &w->items[i];
        if (it->rule)
            continue;
        pdf_value *v = pdf_get(w->doc, it->num, w->new_limit);
        pdf_value *old = it->added ? NULL : pdf_get(w->doc, it->num, w->old_limit);
        if (!v)
            continue;
        pdf_value *type = pdf_dict_get(v, "Type");
        int elem = v->type == PDF_DICT && (pdf_is_name(type, "StructElem") ||
                                          (!type && pdf_dict_get(v, "S") && pdf_dict_get(v, "P")));
        int objr = v->type == PDF_DICT && pdf_is_name(type, "OBJR");
        int tree_node = v->type == PDF_DICT && !type &&
                        (pdf_dict_get(v, "Nums") || (pdf_dict_get(v, "Kids") && pdf_dict_get(v, "Limits")));
        int nums_array = v->type == PDF_ARRAY;
        for (size_t k = 0; tree_node && k < v->count; k++)
            tree_node = pdf_is_name(v->keys[k], "Nums") || pdf_is_name(v->keys[k], "Kids") ||
                        pdf_is_name(v->keys[k], "Limits");
        for (size_t k = 0; nums_array && k < v->count; k++)
            nums_array = v->items[k]->type == PDF_REF || v->items[k]->type == PDF_NULL;
        if (nums_array) { /* a parent tree value: only when reached as one */
            const struct pades_edge *e;
            size_t n = pades_refs_into(w->refs, it->num, &e);
            for (size_t k = 0; nums_array && k < n; k++)
                nums_array = key_matches(e[k].key, "Nums");
        }
        if (!elem && !objr && !tree_node && !nums_array)
            continue;
        if (elem && old) {
            static const char *const keys[] = {"K", NULL};
            if (!same_except(w->doc, old, v, keys)) {
                refuse(w, it->num, "StructTreeRule", "a structure element changed beyond /K");
                continue;
            }
        } else if (old && (objr || (old->type != v->type))) {
            refuse(w, it->num, "StructTreeRule", "a structure object changed");
            continue;
        }
        explain(w, it->num, "StructTreeRule", LEVEL_FORM,
                elem ? "structure element" : objr ? "structure object reference" : "structure parent tree");
        if (elem)
            pin(w, it->num);
        for (const char *const *key = (const char *const[]){"K", "P", "Nums", "Kids", "ParentTree", NULL}; *key; key++)
            approve(w, it->num, ANY_FROM, *key);
    }
}

/* ---------------------------------------------------------------- the catalog and the rest */

static void check_catalog(struct walk *w)
{
    pdf_doc *doc = w->doc;
    pdf_value *old = w->old_catalog, *cat = w->new_catalog;
    struct item *it = item_of(w, w->catalog_num);
    approve(w, w->catalog_num, 0, "Root");
    if (it) {
        static const char *const keys[] = {"AcroForm", "DSS", "Extensions", "Metadata", "Version",
                                           "Perms", "StructTreeRoot", NULL};
        pdf_value *old_perms = old_of(w, pdf_dict_get(old, "Perms"));
        pdf_value *new_perms = new_of(w, pdf_dict_get(cat, "Perms"));
        if (!old || !same_except(doc, old, cat, keys))
            refuse(w, w->catalog_num, "CatalogModificationRule", "the catalog changed beyond /AcroForm /DSS /Extensions /Metadata /Perms");
        else if (!pdf_equal(doc, pdf_dict_get(old_perms, "DocMDP"), pdf_dict_get(new_perms, "DocMDP")))
            refuse(w, w->catalog_num, "CatalogModificationRule", "the catalog's /Perms /DocMDP changed");
        else if (!pdf_dict_get(old, "StructTreeRoot") && pdf_dict_get(cat, "StructTreeRoot"))
            refuse(w, w->catalog_num, "CatalogModificationRule", "a structure tree was added");
        else
            explain(w, w->catalog_num, "CatalogModificationRule", LEVEL_LTA, "catalog");
        pin(w, w->catalog_num);
    }
    uint32_t dss = ref_of(pdf_dict_get(cat, "DSS"));
    explain(w, dss, "DSSCompareRule", LEVEL_LTA, "document security store (DSS)");
    approve(w, dss, w->catalog_num, "DSS");
    grant(w, dss, NULL, "DSSCompareRule", LEVEL_LTA);
    grant(w, w->catalog_num, "DSS", "DSSCompareRule", LEVEL_LTA);
    uint32_t ext = ref_of(pdf_dict_get(cat, "Extensions"));
    explain(w, ext, "CatalogModificationRule", LEVEL_LTA, "developer extensions");
    approve(w, ext, w->catalog_num, "Extensions");
    grant(w, ext, NULL, "CatalogModificationRule", LEVEL_LTA);
    grant(w, w->catalog_num, "Extensions", "CatalogModificationRule", LEVEL_LTA);
    uint32_t perms = ref_of(pdf_dict_get(cat, "Perms"));
    struct item *perms_item = item_of(w, perms);
    if (perms_item && !perms_item->added &&
        !pdf_equal(doc, pdf_dict_get(pdf_get(doc, perms, w->old_limit), "DocMDP"),
                   pdf_dict_get(pdf_get(doc, perms, w->new_limit), "DocMDP")))
        refuse(w, perms, "CatalogModificationRule", "the catalog's /Perms /DocMDP changed");
    explain(w, perms, "CatalogModificationRule", LEVEL_FORM, "permissions (/Perms)");
    approve(w, perms, w->catalog_num, "Perms");
    uint32_t xmp = ref_of(pdf_dict_get(cat, "Metadata"));
    pdf_value *xmp_value = pdf_get(doc, xmp, w->new_limit);
    if (item_of(w, xmp) && xmp_value && xmp_value->type == PDF_STREAM) {
        explain(w, xmp, "MetadataUpdateRule", LEVEL_FORM, "XMP metadata");
        approve(w, xmp, w->catalog_num, "Metadata");
    }
    pdf_value *trailer = pdf_trailer(doc, w->new_limit);
    uint32_t info = ref_of(pdf_dict_get(trailer, "Info"));
    explain(w, info, "DocInfoRule", LEVEL_FORM, "document information dictionary");
    approve(w, info, 0, "Info");
    grant(w, info, NULL, "DocInfoRule", LEVEL_FORM);
}

/* Items a grant reaches are explained by the granting rule, and grant on in turn. A changed
 * object reached so is explained too, but (not pinned) only when every reference to it is
 * approved: an appearance stream overwritten for a new field that another field, or a page,
 * still uses is refused in judge(). */
static void propagate(struct walk *w)
{
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < w->item_count; i++) {
            struct item *it = &w->items[i];
            if (it->rule)
                continue;
            const struct pades_edge *e;
            size_t n = pades_refs_into(w->refs, it->num, &e);
            for (size_t k = 0; k < n; k++) {
                const struct grant *g = granted(w, &e[k]);
                if (!g)
                    continue;
                it->rule = g->rule;
                it->level = g->level;
                it->propagated = 1;
                grant(w, it->num, NULL, g->rule, g->level);
                changed = 1;
                break;
            }
        }
    }
}

static const char *describe(const pdf_value *v)
{
    pdf_value *type = pdf_dict_get(v, "Type");
    if (!v)
        return "an object";
    if (pdf_is_name(type, "Page"))
        return "a page";
    if (pdf_is_name(type, "Pages"))
        return "the page tree";
    if (v->type == PDF_STREAM)
        return "a stream (page content, image, font or appearance)";
    if (pdf_dict_get(v, "FT") || pdf_dict_get(v, "Subtype"))
        return "a form field or annotation";
    return "an object the signed revision uses";
}

static const char *level_name(int level)
{
    return level == LEVEL_ANNOT ? "annotations (level 3)" : "form filling and signing (level 2)";
}

static void judge(struct walk *w)
{
    size_t unreferenced = 0, propagated = 0;
    for (size_t i = 0; i < w->item_count; i++) {
        struct item *it = &w->items[i];
        pdf_value *v = pdf_get(w->doc, it->num, w->new_limit);
        pdf_value *old = it->added ? NULL : pdf_get(w->doc, it->num, w->old_limit);
        if (!pades_refs_reached(w->refs, it->num)) {
            /* ObjectStreamRule, XrefStreamRule: not part of the document's object graph */
            if (it->added)
                unreferenced++;
            else if (v || old)
                add_line(w->out, 0, "allowed (unreferenced): object %u no longer in use", it->num);
            continue;
        }
        if (it->refused[0]) {
            add_line(w->out, 1, "not allowed (%s): %s (object %u)", it->rule, it->refused, it->num);
            continue;
        }
        if (!it->rule) {
            if (it->added)
                add_line(w->out, 1, "not allowed: an object added where no rule allows it (object %u)", it->num);
            else if (!v)
                add_line(w->out, 1, "not allowed: an object in use was deleted or made unreadable (object %u)", it->num);
            else
                add_line(w->out, 1, "not allowed: %s (object %u)", describe(old ? old : v), it->num);
            continue;
        }
        const struct pades_edge *e;
        size_t n = pades_refs_into(w->refs, it->num, &e), k = 0;
        while (k < n && (it->pinned || approved(w, &e[k])))
            k++;
        if (k < n) {
            if (e[k].from)
                add_line(w->out, 1, "not allowed (%s): %s (object %u) is also reached from object %u /%s, which no rule allows",
                         it->rule, it->propagated ? describe(v) : it->what, it->num, e[k].from, e[k].key);
            else
                add_line(w->out, 1, "not allowed (%s): %s (object %u) is also reached from the trailer /%s",
                         it->rule, it->what, it->num, e[k].key);
            continue;
        }
        if (it->level > w->level_allowed) {
            add_line(w->out, 1, "not allowed (%s): %s (object %u) needs %s, but %s P=%d of the signature in object %u forbids it",
                     it->rule, it->propagated ? describe(v) : it->what, it->num, level_name(it->level),
                     w->level_kind, w->level_allowed, w->level_by);
            continue;
        }
        if (it->level > LEVEL_LTA)
            w->out->beyond_validation_data = 1;
        if (it->propagated) {
            propagated++;
            continue;
        }
        add_line(w->out, 0, "allowed (%s): %s (object %u)", it->rule, it->what, it->num);
        if (!strcmp(it->rule, "DocInfoRule") || !strcmp(it->rule, "MetadataUpdateRule"))
            add_line(w->out, 2, "the %s changed after signing",
                     it->rule[0] == 'D' ? "document information dictionary" : "XMP metadata");
    }
    if (propagated)
        add_line(w->out, 0, "allowed: %zu other object%s added under the allowed ones (appearances, validation data)",
                 propagated, propagated == 1 ? "" : "s");
    if (unreferenced)
        add_line(w->out, 0, "allowed (ObjectStreamRule, XrefStreamRule): %zu unreferenced object%s added",
                 unreferenced, unreferenced == 1 ? "" : "s");
}

/* ---------------------------------------------------------------- one revision */

static void analyse(struct pades_changes *c, size_t s)
{
    pdf_doc *doc = c->doc;
    struct rev *r = &c->revs[s];
    const struct pdf_section *sec = &doc->sections[s];
    r->done = 1;
    struct walk w = {.doc = doc, .perms = c->perms, .out = r, .at = sec->offset,
                     .old_limit = sec->offset, .new_limit = sec->offset + 1};
    pdf_value *old_trailer = pdf_trailer(doc, w.old_limit), *new_trailer = pdf_trailer(doc, w.new_limit);
    if (!pdf_equal(doc, pdf_dict_get(old_trailer, "Root"), pdf_dict_get(new_trailer, "Root")))
        add_line(r, 1, "not allowed: the trailer points to another document catalog");
    if (pdf_dict_get(new_trailer, "Encrypt") && !pdf_dict_get(old_trailer, "Encrypt"))
        add_line(r, 1, "not allowed: encryption was added");
    if (sec->count > MAX_CHANGED) {
        add_line(r, 1, "not allowed: too many objects in a later revision to analyse");
        return;
    }
    w.level_allowed = pades_perms_level(c->perms, w.at, &w.level_by, &w.level_kind);
    if (!w.level_allowed)
        w.level_allowed = LEVEL_ANNOT; /* no DocMDP: changes are reported, annotations allowed */
    w.certified = pades_perms_certified(c->perms, w.at);
    w.items = calloc(sec->count ? sec->count : 1, sizeof *w.items);
    if (!w.items) {
        add_line(r, 1, "not allowed: out of memory");
        return;
    }
    for (size_t k = 0; k < sec->count; k++) {
        uint32_t num = sec->entries[k].num;
        if (num == 0 || (w.item_count && w.items[w.item_count - 1].num == num))
            continue;
        const struct pdf_xref_entry *old_entry = pdf_entry(doc, num, w.old_limit);
        pdf_value *new = pdf_get(doc, num, w.new_limit);
        if (!old_entry || old_entry->kind == 0) {
            if (new)
                w.items[w.item_count++] = (struct item){.num = num, .added = 1};
            continue;
        }
        pdf_value *old = pdf_get(doc, num, w.old_limit);
        if (!old) {
            if (new)
                add_line(r, 1, "not allowed: an object unreadable in the earlier revision was defined later (object %u)", num);
            continue;
        }
        if (new && pdf_equal(doc, old, new))
            continue;
        w.items[w.item_count++] = (struct item){.num = num};
    }
    if (w.item_count) { /* entries are sorted by number: items are too */
        if (c->traced > MAX_TRACED) {
            add_line(r, 1, "not allowed: too many revisions and objects to analyse");
        } else if (pades_refs_build(&w.refs, doc, w.new_limit) != 0) {
            add_line(r, 1, "not allowed: out of memory tracing references");
        } else if (pades_refs_truncated(w.refs)) {
            add_line(r, 1, "not allowed: too many objects or references to trace");
        } else {
            c->traced += pades_refs_count(w.refs);
            w.catalog_num = ref_of(pdf_dict_get(new_trailer, "Root"));
            w.old_catalog = old_of(&w, pdf_dict_get(old_trailer, "Root"));
            w.new_catalog = new_of(&w, pdf_dict_get(new_trailer, "Root"));
            size_t visited = 0;
            check_catalog(&w);
            check_form(&w);
            check_pages(&w, pdf_dict_get(w.new_catalog, "Pages"), 0, &visited);
            check_structure(&w);
            propagate(&w);
            judge(&w);
        }
    }
    pades_refs_free(w.refs);
    free(w.items);
    free(w.approvals);
    free(w.grants);
}

int pades_changes_new(pades_changes **out, pdf_doc *doc, const pades_perms *perms)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return -1;
    (*out)->doc = doc;
    (*out)->perms = perms;
    (*out)->revs = calloc(doc->section_count ? doc->section_count : 1, sizeof *(*out)->revs);
    if (!(*out)->revs) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

void pades_changes_free(pades_changes *c)
{
    if (!c)
        return;
    for (size_t s = 0; s < c->doc->section_count; s++) {
        for (size_t i = 0; i < c->revs[s].line_count; i++)
            free(c->revs[s].lines[i].text);
        free(c->revs[s].lines);
    }
    free(c->revs);
    free(c);
}

/* ---------------------------------------------------------------- one signature */

void pades_check_modifications(pades_changes *c, size_t signed_end, sign_sig *sig)
{
    pdf_doc *doc = c->doc;
    struct diff d = {.doc = doc, .signed_end = signed_end, .sig = sig};
    size_t later = 0;
    for (size_t i = 0; i < doc->section_count; i++)
        later += doc->sections[i].offset >= signed_end;
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
    check_tail(&d);
    int beyond_validation_data = 0;
    for (size_t s = doc->section_count; s-- > 0;) {
        if (doc->sections[s].offset < signed_end)
            continue;
        if (!c->revs[s].done)
            analyse(c, s);
        const struct rev *r = &c->revs[s];
        beyond_validation_data |= r->beyond_validation_data || r->failed;
        for (size_t i = 0; i < r->line_count; i++) {
            const struct line *l = &r->lines[i];
            beyond_validation_data |= l->kind != 0;
            if (l->kind == 2) {
                sign_sig_warn(sig, "%s", l->text);
                continue;
            }
            sign_sig_add_modification_detail(sig, "%s", l->text);
            if (l->kind == 1 && d.failed++ < 5) /* a few reasons are enough */
                sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "changed after signing: %s", l->text);
        }
        if (r->failed > 0 && !d.failed) {
            d.failed++;
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "changed after signing");
        }
    }
    /* Later revisions that only add validation data (a DSS, document timestamps: what B-LT and
     * B-LTA add) ask nothing of the reader, so they are information; any other later revision
     * is worth a warning, even an allowed one. */
    if (d.failed || beyond_validation_data)
        sign_sig_warn(sig, "%zu revision%s after this signature", later, later == 1 ? "" : "s");
    else
        sign_sig_info(sig, "%zu revision%s after this signature, adding validation data only",
                      later, later == 1 ? "" : "s");
    sign_sig_set_modification(sig, d.failed ? "disallowed" : "allowed");
}
