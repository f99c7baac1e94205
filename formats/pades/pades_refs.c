/* The reference tracker of the modification analysis: every indirect reference reachable from a
 * revision's trailer, as edges "object FROM holds a reference to TO under KEY", so that a change
 * can be judged by how it is reached (pyHanko's difference analysis whitelists references, not
 * objects: an object may change only when every path to it is one a rule allows). The walk is
 * bounded in objects, edges and nesting, as a hostile file must cost bounded time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades.h"

#define MAX_OBJECTS 200000
#define MAX_EDGES 2000000
#define MAX_DEPTH 32

struct pades_refs {
    struct pades_edge *edges;   /* sorted by target once built */
    size_t count, cap;
    unsigned char *reached;     /* by object number */
    uint32_t reached_size;
    uint32_t *queue;
    size_t queue_len, queue_cap;
    int truncated;
};

static int add_edge(struct pades_refs *r, uint32_t from, uint32_t to, const char *key)
{
    if (r->count == MAX_EDGES) {
        r->truncated = 1;
        return -1;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        struct pades_edge *grown = realloc(r->edges, cap * sizeof *grown);
        if (!grown)
            return -1;
        r->edges = grown;
        r->cap = cap;
    }
    struct pades_edge *e = &r->edges[r->count++];
    e->from = from;
    e->to = to;
    snprintf(e->key, sizeof e->key, "%s", key);
    if (to < r->reached_size && !r->reached[to]) {
        r->reached[to] = 1;
        if (r->queue_len == r->queue_cap) {
            size_t cap = r->queue_cap ? r->queue_cap * 2 : 256;
            uint32_t *grown = realloc(r->queue, cap * sizeof *grown);
            if (!grown)
                return -1;
            r->queue = grown;
            r->queue_cap = cap;
        }
        r->queue[r->queue_len++] = to;
    }
    return 0;
}

/* The references in v, found under key path "key" (dictionary keys joined by '/', the first two
 * levels: "AP/N", "Annots", "Resources/Font"; arrays are transparent). */
static int walk_value(struct pades_refs *r, uint32_t from, const pdf_value *v, const char *key,
                      int depth)
{
    if (!v || depth > MAX_DEPTH)
        return 0;
    if (v->type == PDF_REF) {
        if (v->num <= 0 || v->num > UINT32_MAX)
            return 0;
        return add_edge(r, from, (uint32_t)v->num, key);
    }
    if (v->type == PDF_ARRAY) {
        for (size_t i = 0; i < v->count; i++)
            if (walk_value(r, from, v->items[i], key, depth + 1) != 0)
                return -1;
        return 0;
    }
    if (v->type != PDF_DICT && v->type != PDF_STREAM)
        return 0;
    for (size_t i = 0; i < v->count; i++) {
        char path[PADES_KEY_LEN];
        const pdf_value *name = v->keys[i];
        int levels = 0;
        for (const char *p = key; *p; p++)
            levels += *p == '/';
        if (!*key)
            snprintf(path, sizeof path, "%.*s", (int)(name->len < 40 ? name->len : 40),
                     (const char *)name->bytes);
        else if (levels == 0)
            snprintf(path, sizeof path, "%s/%.*s", key, (int)(name->len < 20 ? name->len : 20),
                     (const char *)name->bytes);
        else
            snprintf(path, sizeof path, "%s", key);
        if (walk_value(r, from, v->items[i], path, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static int edge_cmp(const void *a, const void *b)
{
    const struct pades_edge *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

int pades_refs_build(pades_refs **out, pdf_doc *doc, size_t limit)
{
    *out = NULL;
    struct pades_refs *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    uint32_t size = pdf_next_num(doc);
    r->reached_size = size < MAX_OBJECTS ? size : MAX_OBJECTS;
    r->reached = calloc(r->reached_size ? r->reached_size : 1, 1);
    if (!r->reached) {
        pades_refs_free(r);
        return -1;
    }
    int rc = 0;
    pdf_value *trailer = pdf_trailer(doc, limit);
    static const char *const trailer_keys[] = {"Root", "Info", "Encrypt", NULL};
    for (size_t k = 0; trailer_keys[k] && rc == 0; k++)
        rc = walk_value(r, 0, pdf_dict_get(trailer, trailer_keys[k]), trailer_keys[k], 1);
    for (size_t q = 0; rc == 0 && q < r->queue_len; q++) {
        uint32_t num = r->queue[q];
        rc = walk_value(r, num, pdf_get(doc, num, limit), "", 0);
    }
    if (size > MAX_OBJECTS)
        r->truncated = 1;
    if (rc != 0 && !r->truncated) {
        pades_refs_free(r);
        return -1;
    }
    qsort(r->edges, r->count, sizeof *r->edges, edge_cmp);
    *out = r;
    return 0;
}

void pades_refs_free(pades_refs *r)
{
    if (!r)
        return;
    free(r->edges);
    free(r->reached);
    free(r->queue);
    free(r);
}

int pades_refs_truncated(const pades_refs *r) { return r->truncated; }

size_t pades_refs_count(const pades_refs *r) { return r->queue_len; }

int pades_refs_reached(const pades_refs *r, uint32_t num)
{
    return num < r->reached_size && r->reached[num];
}

size_t pades_refs_into(const pades_refs *r, uint32_t to, const struct pades_edge **first)
{
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->edges[mid].to < to)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < r->count && r->edges[end].to == to)
        end++;
    *first = r->edges + lo;
    return end - lo;
}
