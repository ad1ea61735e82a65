#!/bin/sh
# A walk through every capability on a temporary database, with real
# company data from examples/data and the industrial-distributor rule pack
# from examples/packs. Prints each command before its output and stops at
# the first step that does not behave as shown.
#
# Usage: sh scripts/demo.sh PATH-TO-CRM
set -eu

crm_binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/examples/data"
pack="$root/examples/packs/industrial-distributor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export CRM_DB="$work/crm.sqlite"
export CRM_TODAY="${CRM_TODAY:-2026-03-02}"
export NO_COLOR=1
unset CRM_USER CRM_NOW

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

section "1. Users, the sector tree and real data imported"
run init --admin admin
export CRM_USER=admin
run user add alice --role sales
run user add bruno --role sales
run user add maya --role manager
run user add claire --role accounting
run sector add FR --name "France"
run sector add IDF --name "Île-de-France" --parent FR
run sector add ARA --name "Auvergne-Rhône-Alpes" --parent FR
run sector set-manager FR maya
run sector assign-rep IDF alice
run sector assign-rep ARA bruno
run sector list
run import accounts "$data/StockUniteLegale_extract.csv" --owner alice
run import accounts "$data/dolibarr_societe.csv" --owner bruno
run import accounts "$data/salesforce_Account.csv" --owner bruno
run import opportunities "$data/salesforce_Opportunity.csv" --owner bruno
run account list --limit 8

section "2. A company's rule pack"
run pack test "$pack"
run pack install "$pack"
run setting set quote.sequence 'devis-{year}-{sector}'
run pack list
run plugin list

section "3. Sectors by the pack's rule, and objectives"
run account list --name "atelier"
run account edit 4 --street "12 rue de la Forge" --postal-code 75011 --city Paris --as alice
run account show 4
run sector reassign --dry-run
run objective set --rep alice --period 2026-Q1 --metric revenue --target 30000
run objective set --sector IDF --period 2026-Q1 --metric revenue --target 60000

section "4. A deal through its stages, with activities and follow-ups"
export CRM_USER=alice
run contact add --account 4 --first-name Claire --last-name Martin --email claire.martin@example.fr --role Gérante
run opportunity add --account 4 --title "Showroom lighting" --amount 24000.00 --close-date 2026-03-27 --contact 1
run activity log call --subject "Discovery call" --opportunity 6 --outcome "Budget confirmed"
run opportunity stage 6 PROPOSE
run opportunity stage 6 NEGOTIATE
run followup list --due week

section "5. A quote with several VAT rates, numbered by the pack"
run setting set company.legalName "Durand & Fils Distribution" --as admin
run setting set company.legalForm "SAS" --as admin
run setting set company.capital 150000 --as admin
run setting set company.address '"8 rue des Entrepôts\n93200 Saint-Denis"' --as admin
run setting set company.siret 12345678200010 --as admin
run setting set company.rcsCity Bobigny --as admin
run quote new --opportunity 6
run quote line add 1 --description "LED panel 60x60" --qty 40 --unit-price 119.90 --vat 20
run quote line add 1 --description "Installation" --qty 3 --unit-price 650.00 --vat 10 --unit day
run quote line add 1 --description "Maintenance manual" --qty 2 --unit-price 24.50 --vat 5.5
run quote discount 1 5
run quote send 1
run quote show DEV-IDF-2026-0001
run quote render DEV-IDF-2026-0001 --format pdf --output "$work/devis.pdf"
[ -z "${CRM_DEMO_KEEP:-}" ] || cp "$work/devis.pdf" "$CRM_DEMO_KEEP"
run followup list --due week

section "6. Account opening: request, alert, solvency, approval"
run opening request 4 --credit-limit 15000 --note "Showroom order expected this month"
export CRM_USER=claire
run inbox
run opening review 1
run opening approve 1
run account show 4
run term due 45EOM

section "7. The quote accepted, the deal won, the pack's hook at work"
export CRM_USER=alice
run quote accept DEV-IDF-2026-0001
run opportunity show 6
run note list 4
run activity list

section "8. Pipeline, objectives and why the account got its terms"
export CRM_USER=admin
run pipeline
run objective report --period 2026-Q1
run rules explain --account 4
run timeline account 4
run db check
