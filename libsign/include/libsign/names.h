/* libsign: names the commands need to know and only the library knows: the formats of this
 * build, and what the name of a signed file says. A format is always recognised from a file's
 * content; these names only help to find files and to pair a signature with its content.
 * Every function here is pure and may be called from any thread. */
#ifndef LIBSIGN_NAMES_H
#define LIBSIGN_NAMES_H

#include <stddef.h>
#include <libsign/common.h>

/* The formats this build signs and validates, by the names sign_options.format takes
 * ("cades", "pades", "xades", "asic-e", "asic-s"): index 0 to sign_format_count() - 1,
 * NULL past the end. */
SIGN_EXTERN size_t sign_format_count(void);
SIGN_EXTERN const char *sign_format_name(size_t index);

/* 1 when format is a container (ASiC): sign_sign_files puts every input into its one output,
 * and sign_options.inner_format chooses the signatures inside. 0 otherwise, and for NULL or a
 * name this build does not know. */
SIGN_EXTERN int sign_format_is_container(const char *format);

/* 1 when a container of the format container can hold signatures of the format inner (the
 * values sign_options.inner_format takes with it), else 0. */
SIGN_EXTERN int sign_format_can_contain(const char *container, const char *inner);

/* The name of the content that the name of a detached signature implies: signature_name
 * without its ".p7s", ".p7m" or ".sig" ending, as it was named when signed ("dir/a.txt.p7s"
 * gives "dir/a.txt"; the ending's case matters), and without the ".extended" segl-extend puts
 * before it, once or more ("a.txt.extended.p7s" gives "a.txt"). The name is malloc'd in *out, for the caller
 * to free(). Returns SIGN_EINVAL, *out NULL, when the name has no such ending or nothing but a
 * directory before it; SIGN_ENOMEM. Only the name: whether that file exists is the caller's
 * question. */
SIGN_EXTERN int sign_detached_content_name(char **out, const char *signature_name);

/* 1 when name ends as the signed files of a format of this build are usually named (".p7s",
 * ".p7m", ".pdf", ".xml", ".asice", ".sce", ".asics", ".scs", in any case), else 0: the files
 * segl-verify -r picks from a directory. */
SIGN_EXTERN int sign_is_signed_file_name(const char *name);

#endif
