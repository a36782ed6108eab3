#!/usr/bin/env bash
# Moves realm /alpha's configuration from a "dev" server to a "prod" server, safely:
# export from dev, compare, look at the plan, import into prod, check that prod now holds what
# dev exported, import again (nothing to write), and take the import back with undo.
#
#   AMSH_PASSWORD=... examples/migrate/dev-to-prod.sh <dev base URL> <prod base URL> <work dir>
#
# Both servers are logged in to as amadmin with the password in AMSH_PASSWORD. CI runs it against
# two `amsh serve` on loopback (test/migrate-example.test.ts); pointed at real AM servers it does
# the same. AMSH is the amsh to run (default: amsh on the PATH).
set -euo pipefail
dev=$1 prod=$2 work=$3
amsh=${AMSH:-amsh}

step() { printf '\n== %s\n' "$*" >&2; }

step "saved connections for both"
$amsh profile add dev "$dev" --username amadmin --password-env AMSH_PASSWORD --force >/dev/null
$amsh profile add prod "$prod" --username amadmin --password-env AMSH_PASSWORD --force >/dev/null

step "export /alpha from dev (with the sources beside, for review)"
$amsh --profile dev -q -c "export-config --path $work/alpha --realms /alpha --extract" >/dev/null

step "what differs between the export and prod (exit 1: they differ)"
set +e
$amsh diff "$work/alpha" prod
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected differences (exit 1), got $status" >&2; exit 1; }

step "the plan, changing nothing"
$amsh --profile prod -q -c "import-config --path $work/alpha --dry-run" >/dev/null

step "the import (its journal batch is kept for the undo below)"
$amsh --profile prod -q -c "import-config --path $work/alpha" 2>"$work/import.log" >/dev/null
cat "$work/import.log" >&2
sed -n 's/^journal batch \([0-9]*\):.*/\1/p' "$work/import.log" > "$work/batch"
[ -s "$work/batch" ] || { echo "the import named no journal batch" >&2; exit 1; }

step "prod now holds what dev exported (exit 0)"
$amsh diff "$work/alpha" prod

step "a second import writes nothing"
$amsh --profile prod -q -c "import-config --path $work/alpha" >/dev/null

step "take the import back: prod is as it was before (exit 1 again: it differs from the export)"
$amsh --profile prod -q -c "journal list --limit 2" >&2
$amsh --profile prod -q -c "undo --batch $(cat "$work/batch")" >&2
set +e
$amsh diff "$work/alpha" prod >/dev/null
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected prod to differ again after undo (exit 1), got $status" >&2; exit 1; }
