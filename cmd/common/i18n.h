/* The commands' messages in the user's language (GNU gettext, text domain "segl"; the
 * catalogues are po/<lang>.po, compiled at build time). libsign speaks English only: its
 * messages are the stable contract of JSON and ETSI reports, and the commands print them as
 * detail lines. */
#ifndef SEGL_CMD_I18N_H
#define SEGL_CMD_I18N_H

#include <libintl.h>

/* A message translated for the user; the English text is the key in po/segl.pot. */
#define _(text) gettext(text)
/* Marks a text for xgettext where it is only named (a table); translate it with _() on use. */
#define N_(text) (text)

/* The locale from the environment (LANG, LC_ALL, LANGUAGE) and the catalogues found next to
 * the running program: <bindir>/../share/locale once installed, <dir>/locale in the build
 * tree. Called by cmd_start. */
void cmd_i18n_start(void);

#endif
