/* Where the commands find their message catalogues, and the locale they speak. The catalogue
 * folder is found from the running program (/proc/self/exe), not from a path fixed at build
 * time, so that the build tree, an install under any --prefix, and a moved install all find
 * their own. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "i18n.h"

#ifndef SEGL_LOCALE_FROM_BINDIR
#define SEGL_LOCALE_FROM_BINDIR "../share/locale"
#endif

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The catalogue folder for the program at exe: "locale" beside it (the build tree), else the
 * installed layout's share/locale. 0, or -1 when neither exists. */
static int find_catalogues(char *out, size_t size, const char *exe)
{
    const char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    int dir_len = (int)(slash - exe);
    static const char *const beside[] = {"locale", SEGL_LOCALE_FROM_BINDIR};
    for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
        int n = snprintf(out, size, "%.*s/%s", dir_len, exe, beside[i]);
        if (n > 0 && (size_t)n < size && is_directory(out))
            return 0;
    }
    return -1;
}

void cmd_i18n_start(void)
{
    /* Only the messages and the character set follow the locale (the C library's own messages,
     * strerror, are converted to it): numbers and times stay "C", so that nothing the libraries
     * parse or print changes with it (a decimal comma in da_DK). */
    setlocale(LC_MESSAGES, "");
    setlocale(LC_CTYPE, "");
    char exe[4096], catalogues[4096 + 32];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        if (find_catalogues(catalogues, sizeof catalogues, exe) == 0)
            bindtextdomain("segl", catalogues);
    }
    /* Signers' names and the files' own texts are printed as UTF-8: the messages too, so a
     * line never mixes two encodings. */
    bind_textdomain_codeset("segl", "UTF-8");
    textdomain("segl");
}
