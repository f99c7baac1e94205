#!/bin/sh
# Remakes po/segl.pot from the commands' sources and merges it into every po/<lang>.po, whose
# new or changed messages msgmerge marks "fuzzy" for a translator. Run after changing a message:
#   po/update.sh
# Messages are _("..."), N_("...") and every format given to cmd_error (its third argument).
set -eu
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=cmd_error:3 \
    --add-comments=TRANSLATORS: --package-name=segl --msgid-bugs-address='the segl issue tracker' \
    --no-location --sort-output -o po/segl.pot cmd/*.c cmd/common/*.c cmd/common/*.h cmd/verify/*.c
for po in po/*.po; do
    msgmerge --quiet --update --backup=none --no-location --sort-output "$po" po/segl.pot
done
