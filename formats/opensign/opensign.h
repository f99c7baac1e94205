/* OpenSign module internals (NemID's OpenSign applet signatures), shared by opensign*.c only. */
#ifndef SEGL_OPENSIGN_H
#define SEGL_OPENSIGN_H

#include <libxml/tree.h>
#include "formats/format.h"
#include "libsign/xml/xml.h"

#define OPENSIGN_NS "http://www.openoces.org/2006/07/signature#"

struct opensign_property {
    char *name;           /* printable ASCII */
    unsigned char *value; /* decoded (base64) or as written (xml); NUL-terminated, len bytes */
    size_t len;
    int visible;          /* VisibleToSigner="yes" */
};

/* One OpenSign signature as read from its document (which owns the nodes). */
struct opensign {
    xmlNodePtr signature; /* the ds:Signature the wrapper holds (NULL when none) */
    struct opensign_property *properties;
    size_t count;
};

/* ---- opensign_read.c */
/* Check doc's shape exactly (the wrapper, the one Signature, its SignedInfo, the one signed
 * Object and its properties) and read the properties into os. 0, or -1 with why; os is filled
 * as far as it was read either way (os->signature when found): opensign_clear it. */
int opensign_read(xmlDocPtr doc, struct opensign *os, char *why, size_t why_len);
void opensign_clear(struct opensign *os);
/* The property called name, or NULL. */
const struct opensign_property *opensign_property(const struct opensign *os, const char *name);
/* The MIME type of a sign text: "text/html", "application/xml" or "text/plain". */
const char *opensign_text_mime(const unsigned char *text, size_t len);
/* The file extension of a sign text of kind mime (".txt" for anything not known). */
const char *opensign_mime_extension(const char *mime);

#endif
