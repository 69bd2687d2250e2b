#!/bin/sh
# make-man.sh HELP2MAN PROGRAM VERSION OUT.1.gz: PROGRAM's man page from its
# own --help (help2man), with a COMMANDS section holding each subcommand's
# --help, since the top-level help of a subcommand CLI only lists their names.
# The version comes from the build (every program also answers --version).
set -eu
help2man="$1" prog="$2" version="$3" out="$4"
name=$(basename "$prog")
inc=$(mktemp)
trap 'rm -f "$inc" "${out%.gz}"' EXIT
# CLI11 lists subcommands after "Subcommands:", one per line, name first.
subs=$("$prog" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
if [ -n "$subs" ]; then
  echo "[COMMANDS]" > "$inc"
  for s in $subs; do
    printf '.SS "%s %s"\n.nf\n' "$name" "$s" >> "$inc"
    # roff: escape backslashes, protect lines that start with . or '.
    "$prog" "$s" --help | sed -e "s|$prog|$name|g" -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" >> "$inc"
    printf '.fi\n' >> "$inc"
  done
fi
summary=$("$prog" --help | head -1 | sed 's/^[^:]*: *//')
mkdir -p "$(dirname "$out")"
"$help2man" --no-info --no-discard-stderr --section=1 --name="$summary" --include="$inc" \
  --version-string="$name $version" \
  --output="${out%.gz}" "$prog"
gzip -9n -c "${out%.gz}" > "$out"  # Debian installs man pages compressed
