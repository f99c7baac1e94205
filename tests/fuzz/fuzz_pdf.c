/* libFuzzer target: the PDF reader alone (formats/pades/pdf/pdf_read.c): cross-reference tables
 * and streams, the /Prev chain (offsets a few bytes off, linearized files), the repair by
 * scanning when they are unusable, objects, object streams and stream filters, read as the
 * PAdES module reads them for every revision, whether or not the file holds a signature. */
#include <stdint.h>
#include <stdlib.h>
#include "formats/pades/pdf/pdf.h"

enum { MAX_VISITS = 20000, MAX_WALK_DEPTH = 24, MAX_TOP_VALUES = 256 };

struct walk {
    pdf_doc *doc;
    size_t limit; /* the revision: sections that start before it */
    unsigned visits;
};

/* Every value reachable from v (references followed), each stream decoded; bounded. */
static void walk(struct walk *w, pdf_value *v, int depth)
{
    if (!v || depth > MAX_WALK_DEPTH || ++w->visits > MAX_VISITS)
        return;
    switch (v->type) {
    case PDF_REF:
        walk(w, pdf_resolve(w->doc, v, w->limit), depth + 1);
        break;
    case PDF_STREAM: {
        unsigned char *decoded = NULL;
        size_t len = 0;
        if (pdf_stream_decode(w->doc, v, &decoded, &len) == 0)
            free(decoded);
    }
        /* fall through: a stream has a dictionary */
    case PDF_DICT:
    case PDF_ARRAY:
        for (size_t i = 0; i < v->count; i++)
            walk(w, v->items[i], depth + 1);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sign_source *src = sign_source_from_memory(data, size, "fuzz");
    if (!src)
        return 0;
    pdf_doc doc;
    if (pdf_open(&doc, src) == 0) {
        /* Each revision as of its own cross-reference section, newest first. */
        struct walk w = {.doc = &doc};
        for (size_t s = 0; s < doc.section_count && w.visits <= MAX_VISITS; s++) {
            /* a section rebuilt by scanning (doc.repaired) ends where it starts, at its %%EOF */
            w.limit = doc.sections[s].end > doc.sections[s].offset ? doc.sections[s].end
                                                                    : doc.sections[s].offset + 1;
            walk(&w, pdf_trailer(&doc, w.limit), 0);
            for (size_t i = 0; i < doc.sections[s].count && w.visits <= MAX_VISITS; i++)
                walk(&w, pdf_get(&doc, doc.sections[s].entries[i].num, w.limit), 0);
        }
        (void)pdf_next_num(&doc);
    } else if (doc.arena) {
        /* Not a PDF the reader opens: its tokenizer on the bytes as they are. */
        size_t pos = 0;
        for (int i = 0; i < MAX_TOP_VALUES && pos < size; i++)
            if (!pdf_parse_value(&doc, data, size, &pos))
                pos++;
    }
    pdf_close(&doc);
    sign_source_free(src);
    return 0;
}
