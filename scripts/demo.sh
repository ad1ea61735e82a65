#!/bin/sh
# A walk through the product on a temporary database, with real companies
# from the SIRENE extract in examples/data. Prints each command before its
# output and stops at the first step that does not behave as shown.
set -eu

crm_binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
registry="$root/examples/data/StockUniteLegale_extract.csv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export CRM_DB="$work/crm.sqlite"
export CRM_TODAY="${CRM_TODAY:-2026-03-02}"
export NO_COLOR=1

# Prints a command, then runs it; any failure stops the demo.
run() {
    printf '\n$ crm %s\n' "$*"
    "$crm_binary" "$@"
}

# Prints a command that must fail, runs it, and stops the demo if it succeeds.
expect_failure() {
    printf '\n$ crm %s    # expected to fail\n' "$*"
    if "$crm_binary" "$@"; then
        echo "demo: this command should have failed" >&2
        exit 1
    fi
}

section() {
    printf '\n== %s ==\n' "$1"
}

# Reads one column of the SIRENE row of a SIREN (columns are comma-separated
# and unquoted in this extract).
field() {
    awk -F, -v siren="$1" -v column="$2" '$1 == siren { print $column; exit }' "$registry"
}

section "A new database and its users"
run init --admin admin
export CRM_USER=admin
run user add alice --role sales
run user add bruno --role sales
run user add maya --role manager
run user add claire --role accounting
run user list

section "Sectors"
run sector add FR --name "France"
run sector add IDF --name "Île-de-France" --parent FR
run sector add ARA --name "Auvergne-Rhône-Alpes" --parent FR
run sector set-manager FR maya
run sector assign-rep IDF alice
run sector assign-rep ARA bruno
run sector list

section "Accounts from the SIRENE register"
for siren in 732829320 303265045 016750697; do
    run account add "$(field "$siren" 24)" --siren "$siren" --creation-date "$(field "$siren" 4)" \
        --legal-form "$(field "$siren" 28)" --owner alice --sector IDF
done
run account add "$(field 621094853 24)" --siren 621094853 --creation-date "$(field 621094853 4)" \
    --active no --owner bruno --sector ARA
expect_failure account add "$(field 099999999 24)" --siren 099999999 --owner alice
expect_failure account add "$(field 815204631 24)" --siren 815204631 --creation-date "$(field 815204631 4)"
run account edit 1 --trade-name "$(field 732829320 25)" --street "12 rue de la Forge" --postal-code 75011 --city Paris
run account list

section "Contacts, notes and search"
run contact add --account 1 --first-name Claire --last-name Martin --email claire.martin@example.fr --phone "01 23 45 67 89"
run contact add --account 2 --first-name Hugo --last-name Lefèvre --email h.lefevre@example.fr --role "Gérant"
expect_failure contact add --account 1 --last-name Martin --email CLAIRE.MARTIN@example.fr
run note add 1 "Met at the Paris lighting fair; wants a quote in April."
run search lumiere
run search "45 67"

section "What each user sees"
run account list --as alice
run account list --as bruno
run account list --as maya

section "History"
run history account 1
run account show 1 --json

section "Sector rule and objectives"
run sector add 69 --name "Rhône" --parent ARA
run sector assign-rep 69 bruno
run account add "LYON MECANIQUE" --postal-code 69002 --city Lyon --owner bruno
run account show 5
run objective set --rep alice --period 2026-Q1 --metric revenue --target 20000
run objective set --sector FR --period 2026-Q1 --metric revenue --target 50000 --as maya
run opportunity add --account 1 --title "Showroom lighting" --amount 12000.00 --close-date 2026-03-20 --as alice
run opportunity win 1 --as alice
run opportunity add --account 1 --title "Second site" --amount 10000.00 --probability 40 \
    --close-date 2026-03-31 --as alice
run objective report --period 2026-Q1
