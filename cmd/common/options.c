/* One table of options per command, turned into getopt_long's tables and into --help. */
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "options.h"

/* getopt_long returns a long option's val: its table index from here, beyond any short option
 * character, so that an option needs no short name to be told apart. */
#define LONG_VAL_BASE 256

/* Where --help starts the description of an option, after "  -k, --key FILE". */
#define HELP_COLUMN 25

void cmd_opt_init(cmd_opt_parser *parser, const char *prog, const struct cmd_opt *table,
                  int argc, char **argv)
{
    memset(parser, 0, sizeof *parser);
    parser->prog = prog;
    parser->table = table;
    parser->argc = argc;
    parser->argv = argv;
    char *shorts = parser->shortopts;
    *shorts++ = ':'; /* a missing argument then comes back as ':', told apart from unknown */
    size_t count = 0;
    for (const struct cmd_opt *opt = table; opt->long_name; opt++, count++) {
        if (count == CMD_OPT_MAX) {
            /* a programming error, found by the first run of --help in the tests */
            fprintf(stderr, "%s: more than CMD_OPT_MAX options\n", prog);
            abort();
        }
        parser->longopts[count] = (struct option){
            opt->long_name, opt->arg_name ? required_argument : no_argument, NULL,
            LONG_VAL_BASE + (int)count};
        if (opt->short_name) {
            *shorts++ = opt->short_name;
            if (opt->arg_name)
                *shorts++ = ':';
        }
    }
    *shorts = '\0';
    opterr = 0; /* the messages are ours: one line, pointing at --help */
}

static const struct cmd_opt *by_short_name(const struct cmd_opt *table, int short_name)
{
    for (const struct cmd_opt *opt = table; opt->long_name; opt++)
        if (opt->short_name && opt->short_name == short_name)
            return opt;
    return NULL;
}

/* The option getopt_long named by val in optopt: a long one by index, else a short one. */
static const struct cmd_opt *by_val(const struct cmd_opt *table, int val)
{
    return val >= LONG_VAL_BASE ? &table[val - LONG_VAL_BASE] : by_short_name(table, val);
}

/* An unknown or ambiguous --word (getopt_long has stepped past it). GNU getopt takes any
 * unambiguous prefix of a long option, so a prefix of several is named as such. */
static void unknown_long(const cmd_opt_parser *parser, const char *word)
{
    size_t name_len = strcspn(word + 2, "=");
    char matches[512] = "";
    size_t used = 0, count = 0;
    for (const struct cmd_opt *opt = parser->table; opt->long_name; opt++)
        if (name_len > 0 && strncmp(opt->long_name, word + 2, name_len) == 0) {
            count++;
            if (used < sizeof matches)
                used += (size_t)snprintf(matches + used, sizeof matches - used, "%s--%s",
                                         count > 1 ? ", " : "", opt->long_name);
        }
    if (count > 1)
        cmd_error(parser->prog, NULL, "ambiguous option --%.*s (%s; see %s --help)",
                  (int)name_len, word + 2, matches, parser->prog);
    else
        cmd_error(parser->prog, NULL, "unknown option --%.*s (see %s --help)", (int)name_len,
                  word + 2, parser->prog);
}

int cmd_opt_next(cmd_opt_parser *parser, const char **arg)
{
    *arg = NULL;
    int c = getopt_long(parser->argc, parser->argv, parser->shortopts, parser->longopts, NULL);
    if (c == -1)
        return 0;
    const struct cmd_opt *opt = c == '?' || c == ':' ? NULL : by_val(parser->table, c);
    if (opt) {
        *arg = optarg;
        return opt->id;
    }
    const struct cmd_opt *named = optopt ? by_val(parser->table, optopt) : NULL;
    if (c == ':' && named) {
        if (named->short_name)
            cmd_error(parser->prog, NULL, "option -%c/--%s needs %s (see %s --help)",
                      named->short_name, named->long_name, named->arg_name, parser->prog);
        else
            cmd_error(parser->prog, NULL, "option --%s needs %s (see %s --help)",
                      named->long_name, named->arg_name, parser->prog);
    } else if (named) {
        /* "--json=yes": a known long option given an argument it does not take */
        cmd_error(parser->prog, NULL, "option --%s takes no argument (see %s --help)",
                  named->long_name, parser->prog);
    } else if (optopt) {
        cmd_error(parser->prog, NULL, "unknown option -%c (see %s --help)", optopt,
                  parser->prog);
    } else {
        const char *word = optind > 0 && optind <= parser->argc ? parser->argv[optind - 1] : "--";
        if (strncmp(word, "--", 2) == 0)
            unknown_long(parser, word);
        else
            cmd_error(parser->prog, NULL, "unknown option %s (see %s --help)", word,
                      parser->prog);
    }
    return -1;
}

void cmd_opt_print_help(FILE *to, const struct cmd_opt *table)
{
    for (const struct cmd_opt *opt = table; opt->long_name; opt++) {
        int used;
        if (opt->short_name)
            used = fprintf(to, "  -%c, --%s", opt->short_name, opt->long_name);
        else
            used = fprintf(to, "      --%s", opt->long_name);
        if (opt->arg_name)
            used += fprintf(to, " %s", opt->arg_name);
        /* at least one space before the description; two after a name that fills the column */
        fprintf(to, "%*s", used < HELP_COLUMN ? HELP_COLUMN - used : 2, "");
        /* the description in the user's language (its English text is the catalogue's key) */
        for (const char *line = opt->help[0] ? _(opt->help) : opt->help; line;) {
            const char *end = strchr(line, '\n');
            int len = end ? (int)(end - line) : (int)strlen(line);
            fprintf(to, "%.*s\n", len, line);
            line = end ? end + 1 : NULL;
            if (line)
                fprintf(to, "%*s", HELP_COLUMN, "");
        }
    }
}
