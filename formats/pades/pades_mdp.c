/* Permissions after signing (ISO 32000-2 12.8.2.2 DocMDP, 12.8.2.4 FieldMDP, 12.7.5.5
 * SigFieldLock): what each signature allows the revisions after it to change. They accumulate:
 * the most restrictive level reached so far applies to every later revision, and a later
 * signature cannot loosen it (a lock only ever adds restrictions). */
#include <stdlib.h>
#include <string.h>
#include "pades.h"

#define MAX_LOCKS 256

enum lock_action { LOCK_NONE, LOCK_ALL, LOCK_INCLUDE, LOCK_EXCLUDE };

struct lock {
    size_t from;            /* applies to revisions starting at or after this offset */
    int level;              /* 1..3, 0: no document-wide level */
    enum lock_action action;
    pdf_value *fields;      /* array of text strings (fully qualified field names) */
    uint32_t sig_num;       /* the signature it comes from, for the report */
    const char *kind;       /* "DocMDP", "FieldMDP", "SigFieldLock" */
};

struct pades_perms {
    pdf_doc *doc;
    struct lock locks[MAX_LOCKS];
    size_t count;
};

int pades_perms_new(pades_perms **out, pdf_doc *doc)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return -1;
    (*out)->doc = doc;
    return 0;
}

void pades_perms_free(pades_perms *perms) { free(perms); }

static void add_lock(pades_perms *perms, struct lock lock)
{
    if (perms->count < MAX_LOCKS)
        perms->locks[perms->count++] = lock;
}

static enum lock_action action_of(const pdf_value *v)
{
    return pdf_is_name(v, "All")       ? LOCK_ALL
           : pdf_is_name(v, "Include") ? LOCK_INCLUDE
           : pdf_is_name(v, "Exclude") ? LOCK_EXCLUDE
                                       : LOCK_NONE;
}

/* The signature field (or its ancestor's kid) whose /V is sig_num, in the revision it signs. */
static pdf_value *field_of(pdf_doc *doc, pdf_value *fields, uint32_t sig_num, size_t limit,
                           int depth, size_t *visited)
{
    for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count && depth < 32; i++) {
        if (++*visited > 10000)
            return NULL;
        pdf_value *field = pdf_resolve(doc, fields->items[i], limit);
        pdf_value *v = pdf_dict_get(field, "V");
        if (v && v->type == PDF_REF && v->num == (long long)sig_num)
            return field;
        pdf_value *found = field_of(doc, pdf_resolve(doc, pdf_dict_get(field, "Kids"), limit),
                                    sig_num, limit, depth + 1, visited);
        if (found)
            return found;
    }
    return NULL;
}

void pades_perms_add_signature(pades_perms *perms, uint32_t sig_num, size_t signed_end, int docmdp)
{
    pdf_doc *doc = perms->doc;
    pdf_value *catalog = pdf_resolve(doc, pdf_dict_get(pdf_trailer(doc, signed_end), "Root"), signed_end);
    pdf_value *acroform = pdf_resolve(doc, pdf_dict_get(catalog, "AcroForm"), signed_end);
    size_t visited = 0;
    pdf_value *field = field_of(doc, pdf_resolve(doc, pdf_dict_get(acroform, "Fields"), signed_end),
                                sig_num, signed_end, 0, &visited);
    if (docmdp)
        add_lock(perms, (struct lock){.from = signed_end, .level = docmdp, .sig_num = sig_num,
                                      .kind = "DocMDP"});
    /* 12.8.2.4: FieldMDP signature references of the signature dictionary */
    pdf_value *sigdict = pdf_get(doc, sig_num, signed_end);
    pdf_value *refs = pdf_resolve(doc, pdf_dict_get(sigdict, "Reference"), signed_end);
    for (size_t i = 0; refs && refs->type == PDF_ARRAY && i < refs->count && i < 64; i++) {
        pdf_value *ref = pdf_resolve(doc, refs->items[i], signed_end);
        if (!pdf_is_name(pdf_dict_get(ref, "TransformMethod"), "FieldMDP"))
            continue;
        pdf_value *params = pdf_resolve(doc, pdf_dict_get(ref, "TransformParams"), signed_end);
        struct lock lock = {.from = signed_end, .sig_num = sig_num, .kind = "FieldMDP"};
        lock.action = action_of(pdf_dict_get(params, "Action"));
        lock.fields = pdf_resolve(doc, pdf_dict_get(params, "Fields"), signed_end);
        if (lock.action == LOCK_NONE)
            lock.action = LOCK_ALL; /* an unreadable action locks everything: fail closed */
        add_lock(perms, lock);
    }
    /* 12.7.5.5: the signature field's lock dictionary, with PDF 2.0's /P */
    pdf_value *lockdict = pdf_resolve(doc, pdf_dict_get(field, "Lock"), signed_end);
    if (lockdict && lockdict->type == PDF_DICT) {
        struct lock lock = {.from = signed_end, .sig_num = sig_num, .kind = "SigFieldLock"};
        lock.action = action_of(pdf_dict_get(lockdict, "Action"));
        lock.fields = pdf_resolve(doc, pdf_dict_get(lockdict, "Fields"), signed_end);
        pdf_value *p = pdf_dict_get(lockdict, "P");
        if (p)
            lock.level = p->type == PDF_INT && p->num >= 1 && p->num <= 3 ? (int)p->num : 1;
        add_lock(perms, lock);
    }
}

int pades_perms_level(const pades_perms *perms, size_t at, uint32_t *by, const char **kind)
{
    int level = 0;
    for (size_t i = 0; i < perms->count; i++) {
        const struct lock *l = &perms->locks[i];
        if (l->from > at || !l->level || (level && l->level >= level))
            continue;
        level = l->level;
        *by = l->sig_num;
        *kind = l->kind;
    }
    return level;
}

int pades_perms_certified(const pades_perms *perms, size_t at)
{
    for (size_t i = 0; i < perms->count; i++)
        if (perms->locks[i].from <= at && !strcmp(perms->locks[i].kind, "DocMDP"))
            return 1;
    return 0;
}

static int listed(const pdf_doc *doc, const pdf_value *fields, const char *name)
{
    (void)doc;
    size_t len = strlen(name);
    for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count; i++) {
        const pdf_value *item = fields->items[i];
        if (item->type == PDF_STRING && item->len == len && memcmp(item->bytes, name, len) == 0)
            return 1;
    }
    return 0;
}

int pades_perms_field_locked(const pades_perms *perms, size_t at, const char *name, uint32_t *by,
                             const char **kind)
{
    for (size_t i = 0; i < perms->count; i++) {
        const struct lock *l = &perms->locks[i];
        if (l->from > at)
            continue;
        int locked = l->action == LOCK_ALL ||
                     (l->action == LOCK_INCLUDE && listed(perms->doc, l->fields, name)) ||
                     (l->action == LOCK_EXCLUDE && !listed(perms->doc, l->fields, name));
        if (locked) {
            *by = l->sig_num;
            *kind = l->kind;
            return 1;
        }
    }
    return 0;
}
