#!/usr/bin/env bash
# The PostgreSQL reference for the payment benchmark: the same work done the
# way a PostgreSQL user would, on a throwaway PostgreSQL 15 cluster with
# fsync and synchronous_commit on (durable, as NKS's SQLite store is):
#   setup (not timed)  the register's NemKonto accounts (POPULATION/nemkonti.csv)
#                      COPYed into accounts, primary key (id_type, id)
#   intake             COPY the payment file into a staging table, then one
#                      INSERT ... ON CONFLICT DO NOTHING into payments, which
#                      has NKS's unique (system, end_to_end); one transaction
#   cutoff             one UPDATE ... FROM accounts joining each incomplete
#                      payment's recipient to its account, then COPY the
#                      forwardable payments out to a CSV file in bank-file
#                      order (agreement, payout date, id); one transaction
# It is a lower bound on the work, not NKS's rules: no connection, agreement,
# benefit type or register checks at intake, no specific accounts, SE/P
# fallback or failed-payment policies at the cut-off, no pain.002 or pain.001
# written. Prints one machine-readable line:
#   pg_reference payments=N intake_s=S intake_payments_per_s=R cutoff_s=S cutoff_payments_per_s=R stored=N resolved=N forwarded=N
# Usage: bench/pg_reference.sh POPULATION_DIR PAYMENTS_CSV [SYSTEM]
#   PAYMENTS_CSV: a file of `nks gen payments --format csv` (README: CSV
#   payment files); its marker, comments and file record are stripped first.
# Needs the Debian postgresql-15 package (scripts/deps.sh bench). As root the
# server runs as the postgres user.
set -euo pipefail
pop=$1 payments=$2 system=${3:-SERVICEPLATFORM}
. "$(dirname "$0")/pg_cluster.sh"
pg_cluster_check pg_reference
[ -f "$pop/nemkonti.csv" ] || { echo "pg_reference: $pop/nemkonti.csv missing" >&2; exit 1; }
[ -f "$payments" ] || { echo "pg_reference: $payments missing" >&2; exit 1; }

# A free loopback port: the first of a few random ones nothing listens on.
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "pg_reference: no free port found" >&2; exit 1; }
# The server (bench/pg_cluster.sh), durable like NKS; its directory also
# holds this script's CSV files.
pg_cluster_start pg-reference "$port"
tmp=$pg_dir

psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U bench -d postgres "$@"; }
now() { date +%s.%N; }

# The payment rows with their header row, as COPY ... CSV HEADER reads them.
grep -v -e '^#' -e '^file,' "$payments" >"$tmp/payments.csv"
rows=$(($(wc -l <"$tmp/payments.csv") - 1))

psql_ <<SQL
CREATE TABLE accounts (id_type text NOT NULL, id text NOT NULL, account text NOT NULL, bank text NOT NULL,
                       PRIMARY KEY (id_type, id));
\copy accounts FROM '$pop/nemkonti.csv' WITH (FORMAT csv, HEADER true)
ANALYZE accounts;
CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system text NOT NULL, authority text NOT NULL, bank_agreement text NOT NULL, los text NOT NULL,
  payout_date date NOT NULL, debtor_account text NOT NULL, debtor_bank text NOT NULL,
  end_to_end text NOT NULL, amount numeric(17, 2) NOT NULL, currency text NOT NULL,
  benefit_type text NOT NULL, recipient_type text, recipient_id text, creditor_account text,
  creditor_bic text, creditor_name text, remittance text,
  account text, status text NOT NULL DEFAULT 'pending',
  UNIQUE (system, end_to_end));
CREATE TABLE incoming (
  authority text, bank_agreement text, los text, payout_date text, debtor_account text, debtor_bank text,
  end_to_end text, amount text, currency text, benefit_type text, recipient_type text, recipient_id text,
  creditor_account text, creditor_bic text, creditor_name text, remittance text);
CHECKPOINT;
SQL

start=$(now)
psql_ -1 <<SQL
\copy incoming FROM '$tmp/payments.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO payments (system, authority, bank_agreement, los, payout_date, debtor_account, debtor_bank,
                      end_to_end, amount, currency, benefit_type, recipient_type, recipient_id,
                      creditor_account, creditor_bic, creditor_name, remittance)
  SELECT '$system', authority, bank_agreement, los, payout_date::date, debtor_account, debtor_bank,
         end_to_end, amount::numeric, currency, benefit_type, recipient_type, recipient_id,
         creditor_account, creditor_bic, creditor_name, remittance
  FROM incoming
  ON CONFLICT (system, end_to_end) DO NOTHING;
TRUNCATE incoming;
SQL
intake_end=$(now)
psql_ -1 <<SQL
UPDATE payments p SET account = a.account, status = 'forwarded'
  FROM accounts a
  WHERE p.status = 'pending' AND p.creditor_account IS NULL
    AND a.id_type = p.recipient_type AND a.id = p.recipient_id;
UPDATE payments SET account = creditor_account, status = 'forwarded'
  WHERE status = 'pending' AND creditor_account IS NOT NULL;
\copy (SELECT bank_agreement, payout_date, id, end_to_end, amount, account, creditor_bic, remittance FROM payments WHERE status = 'forwarded' ORDER BY bank_agreement, payout_date, id) TO '$tmp/forwarded.csv' WITH (FORMAT csv)
SQL
cutoff_end=$(now)

stored=$(psql_ -At -c "SELECT count(*) FROM payments")
resolved=$(psql_ -At -c "SELECT count(*) FROM payments WHERE status = 'forwarded' AND creditor_account IS NULL")
forwarded=$(wc -l <"$tmp/forwarded.csv")
awk -v n="$rows" -v s="$start" -v i="$intake_end" -v c="$cutoff_end" -v st="$stored" -v r="$resolved" -v f="$forwarded" 'BEGIN {
  intake = i - s; cutoff = c - i;
  printf "pg_reference payments=%d intake_s=%.3f intake_payments_per_s=%.0f cutoff_s=%.3f cutoff_payments_per_s=%.0f stored=%d resolved=%d forwarded=%d\n",
         n, intake, n / intake, cutoff, st / cutoff, st, r, f
}'
