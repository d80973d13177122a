#!/usr/bin/env bash
# make run: a demo data directory with a synthetic population, and a look at it.
set -euo pipefail
nks=$1 data=$2 persons=$3 companies=$4
gen="$data/demo-population"
if [ ! -f "$data/nks.db" ]; then
  "$nks" --data "$data" init
  "$nks" gen population --persons "$persons" --companies "$companies" --seed 2026 --out "$gen"
  for f in cpr cvr units nemkonti; do "$nks" --data "$data" import "$f" "$gen/$f.csv"; done
  "$nks" --data "$data" config apply "$gen/config.nks"
else
  echo "using the existing demo data in $data (delete it to start over)"
fi
cpr=$(sed -n 2p "$gen/cpr.csv" | cut -d, -f1)
cvr=$(sed -n 2p "$gen/cvr.csv" | cut -d, -f1)
echo
echo "== a person's NemKonto"
"$nks" --data "$data" nemkonto show "cpr:$cpr"
echo
echo "== where a payment from authority 12345678 for boligstoette would go"
"$nks" --data "$data" resolve "cpr:$cpr" --authority 12345678 --benefit boligstoette
"$nks" --data "$data" resolve "cvr:$cvr" --authority 12345678 --benefit tilskud
echo
echo "== a caseworker reports a new NemKonto on the citizen's written request: pending until activated"
"$nks" --data "$data" nemkonto set "cpr:$cpr" 9570-0000555666 --channel authority \
  --authority 12345678 --user demo-caseworker --reference DEMO-1 || true
"$nks" --data "$data" resolve "cpr:$cpr" --authority 12345678 --benefit boligstoette
echo "(the activation code is in the PDF letter above; activate with:"
echo "  $nks --data $data nemkonto activate cpr:$cpr CODE)"
echo
echo "== a payment system sends 1,000 payments; the 06:00 cut-off forwards them to the bank"
pay="$gen/payments.xml"
[ -f "$pay" ] || "$nks" gen payments --count 1000 --seed 1 --population "$gen" --out "$pay" --date 2026-11-30 >/dev/null
"$nks" --data "$data" --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$pay"
"$nks" --data "$data" --clock 2026-11-27T06:00:00+01:00 cutoff
echo
echo "Try: $nks --data $data --help"
# The portal (issue 5), served by nks serve itself, with the demo login.
port=${PORT:-8080}
demo=()
"$nks" serve --help | grep -q -- --demo && demo=(--demo)
authority=$(sed -n 's/^user authority=\([0-9]*\) .*/\1/p' "$gen/config.nks" | head -1)
echo
echo "== the portal: http://127.0.0.1:$port/   (Ctrl-C stops it)"
echo "   Demo login (synthetic people; the login page's 'Demo-login' form):"
echo "   - citizen (Borger): CPR number $cpr, or any other from $gen/cpr.csv"
echo "   - company (Virksomhed): CVR number $cvr"
echo "   - employee (Medarbejder), authority $authority, user id:"
sed -n 's/^user authority=[0-9]* id=\([^ ]*\) name="\([^"]*\)" grants=\([^ ]*\).*/       \1  \2 (\3)/p' "$gen/config.nks"
[ ${#demo[@]} -gt 0 ] || echo "   (this build of nks has no --demo login yet: the portal shows its login page only)"
exec "$nks" --data "$data" serve --listen "127.0.0.1:$port" --access-log "$data/access.log" "${demo[@]}"
