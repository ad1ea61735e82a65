import CRMCore
import Foundation
import XCTest

/// Imports of the real-format files in Fixtures/import, one test per
/// expected outcome.
final class ImportTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    @discardableResult
    func load(_ test: TestDatabase, _ name: String, _ entity: ImportEntity = .accounts, as user: String = "admin",
              configure: (inout ImportOptions) -> Void = { _ in }) throws -> ImportSummary {
        var options = ImportOptions(entity: entity)
        configure(&options)
        return try Importer.run(test.context(as: user, command: "import"), path: ImportTests.fixture(name),
                                options: options)
    }

    func issues(_ summary: ImportSummary, _ severity: ImportIssue.Severity) -> [String] {
        summary.issues.filter { $0.severity == severity }.map { "\($0.line) \($0.code) \($0.column ?? "-")" }
    }

    func text(_ test: TestDatabase, _ sql: String, _ parameters: [SQLBindable] = []) throws -> String? {
        try test.database.scalar(sql, parameters).text
    }

    func integer(_ test: TestDatabase, _ sql: String, _ parameters: [SQLBindable] = []) throws -> Int64? {
        try test.database.scalar(sql, parameters).integer
    }

    // MARK: Salesforce

    func testSalesforceAccountsCounts() throws {
        let test = try TestDatabase()
        let summary = try load(test, "Account.csv")
        XCTAssertEqual(summary.source, .salesforce)
        XCTAssertEqual(summary.rowsRead, 11)
        XCTAssertEqual(summary.imported, 10)
        XCTAssertEqual(summary.skipped, 1)
        XCTAssertEqual(summary.rejected, 0)
        XCTAssertEqual(issues(summary, .skipped), ["21 deleted_in_source IsDeleted"])
        XCTAssertEqual(issues(summary, .warning), ["22 possible_duplicate Name"])
        XCTAssertEqual(try test.count("accounts"), 10)
    }

    func testSalesforceAccountsValues() throws {
        let test = try TestDatabase()
        try load(test, "Account.csv")
        let parent = try integer(test, "SELECT id FROM accounts WHERE legal_name = 'United Oil & Gas Corp.'")
        XCTAssertNotNil(parent)
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM accounts WHERE parent_id = ?", [parent]), 2)
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM accounts WHERE parent_id IS NOT NULL"), 2)
        XCTAssertEqual(try text(test, "SELECT street FROM accounts WHERE legal_name = 'Edge Communications'"),
                       "312 Constitution Place\nAustin, TX 78767\nUSA")
        XCTAssertEqual(try integer(test, "SELECT annual_revenue FROM accounts WHERE id = ?", [parent]), 560_000_000_000)
        XCTAssertEqual(try text(test, "SELECT text FROM notes WHERE account_id = ?", [parent]),
                       "World's third largest oil and gas company (\"UOG\").")
        XCTAssertEqual(try text(test, "SELECT country FROM accounts WHERE legal_name = 'United Oil & Gas, UK'"), "GB")
        XCTAssertEqual(try text(test, "SELECT status FROM accounts WHERE legal_name = 'GenePoint'"), "customer")
        XCTAssertEqual(test.host.fired.filter { $0.0 == "onAccountCreated" }.count, 10)
    }

    func testSalesforceAccountsTwiceAddsNothing() throws {
        let test = try TestDatabase()
        try load(test, "Account.csv")
        let again = try load(test, "Account.csv")
        XCTAssertEqual(again.imported, 0)
        XCTAssertEqual(again.unchanged, 10)
        XCTAssertEqual(again.updated, 0)
        XCTAssertEqual(try test.count("accounts"), 10)
        XCTAssertEqual(try test.count("notes"), 4)
    }

    func testSalesforceContacts() throws {
        let test = try TestDatabase()
        try load(test, "Account.csv")
        let summary = try load(test, "Contact.csv", .contacts)
        XCTAssertEqual(summary.imported, 6)
        XCTAssertEqual(summary.rejected, 2)
        XCTAssertEqual(issues(summary, .rejected), ["8 duplicate_key Email", "9 invalid_email Email"])
        XCTAssertEqual(issues(summary, .warning), ["6 unknown_reference AccountId"])
        XCTAssertNil(try integer(test, "SELECT account_id FROM contacts WHERE last_name = 'Vasquez'"))
        XCTAssertEqual(try text(test, "SELECT birthdate FROM contacts WHERE last_name = 'Lindqvist'"), "1984-04-03")
        XCTAssertEqual(try text(test, "SELECT birthdate FROM contacts WHERE last_name = 'Roussel'"), "1988-02-29")
        XCTAssertEqual(try integer(test, "SELECT opted_out FROM contacts WHERE last_name = 'Okonkwo-Hart'"), 1)
        XCTAssertEqual(try text(test, "SELECT role FROM contacts WHERE last_name = 'Okonkwo-Hart'"),
                       "\"Chief\" Procurement Officer")
        XCTAssertEqual(try text(test, """
            SELECT a.legal_name FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.last_name = 'Haddad'
            """), "Edge Communications")
    }

    // MARK: Odoo

    func testOdooPartners() throws {
        let test = try TestDatabase()
        let summary = try load(test, "res_partner.csv")
        XCTAssertEqual(summary.source, .odoo)
        XCTAssertEqual(summary.imported, 6)
        XCTAssertEqual(summary.rejected, 0)
        XCTAssertEqual(issues(summary, .warning), ["6 invalid_vat vat", "8 unknown_reference parent_id/id"])
        XCTAssertEqual(try test.count("accounts"), 3)
        XCTAssertEqual(try test.count("contacts"), 2)
        XCTAssertEqual(try test.count("account_addresses"), 1)
        let pyramide = try XCTUnwrap(integer(test, "SELECT id FROM accounts WHERE legal_name = 'Pyramide Construction SAS'"))
        XCTAssertEqual(try integer(test, "SELECT account_id FROM contacts WHERE last_name = 'Roussel'"), pyramide)
        XCTAssertNil(try integer(test, "SELECT account_id FROM contacts WHERE last_name = 'Dubœuf'"))
        XCTAssertEqual(try integer(test, "SELECT account_id FROM account_addresses WHERE kind = 'delivery'"), pyramide)
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM account_bank_accounts WHERE account_id = ?", [pyramide]), 2)
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM account_labels WHERE account_id = ?", [pyramide]), 2)
        XCTAssertNil(try text(test, "SELECT vat_number FROM accounts WHERE legal_name = 'Brasserie du Vieux-Port'"))
        XCTAssertEqual(try test.database.query("SELECT payment_term FROM accounts ORDER BY id").map { $0.string(0) },
                       ["NET30", "NEXT-EOM", "RECEIPT"])
        XCTAssertEqual(try text(test, "SELECT text FROM notes WHERE account_id = ?", [pyramide]),
                       "Client historique.\n\nNe pas relancer en août.")
        XCTAssertEqual(try text(test, "SELECT street FROM accounts WHERE id = ?", [pyramide]), "2 place Jussieu\nBât. B")
    }

    // MARK: Dolibarr

    func testDolibarrExport() throws {
        let test = try TestDatabase()
        let summary = try load(test, "export_societe_1_fr_FR.csv")
        XCTAssertEqual(summary.source, .dolibarr)
        XCTAssertEqual(summary.imported, 4)
        XCTAssertEqual(summary.rejected, 0)
        XCTAssertEqual(summary.delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(try text(test, "SELECT legal_name FROM accounts WHERE siren = '482915733'"),
                       "Société Générale d'Équipement")
        XCTAssertEqual(try text(test, "SELECT street FROM accounts WHERE siren = '303265045'"), "2 place Jussieu\nBât. B")
        XCTAssertEqual(try text(test, "SELECT payment_term || ' ' || payment_method FROM accounts WHERE siren = '303265045'"),
                       "30EOM TRANSFER")
        XCTAssertEqual(try integer(test, "SELECT credit_limit FROM accounts WHERE siren = '303265045'"), 2_000_000)
        XCTAssertEqual(try text(test, """
            SELECT text FROM notes JOIN accounts a ON a.id = notes.account_id WHERE a.siren = '303265045'
            """), "Solvabilité vérifiée par la compta le 02/10/2025\nEncours accordé : 20 000 EUR")
        XCTAssertEqual(try text(test, """
            SELECT text FROM notes JOIN accounts a ON a.id = notes.account_id WHERE a.siren = '482915733'
            """), "Dit \"SGE\" en interne")
        XCTAssertEqual(try text(test, "SELECT status FROM accounts WHERE legal_name = 'Brasserie du Vieux-Port'"), "prospect")
        XCTAssertEqual(try text(test, "SELECT status FROM accounts WHERE siren = '303265045'"), "customer")
        XCTAssertEqual(try integer(test, "SELECT supplier FROM accounts WHERE siren = '482915733'"), 1)
        XCTAssertEqual(try integer(test, "SELECT active FROM accounts WHERE legal_name = 'Menuiserie Hétu & Fils'"), 0)
        XCTAssertEqual(try text(test, "SELECT street FROM accounts WHERE siren = '482915733'"),
                       "1 rue de l'Église; escalier C")
    }

    func testDolibarrTemplate() throws {
        let test = try TestDatabase()
        let summary = try load(test, "import_societe_template_fr.csv")
        XCTAssertEqual(summary.source, .dolibarr)
        XCTAssertEqual(summary.imported, 3)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(issues(summary, .rejected), ["4 missing_required_name Nom du tiers* (s.nom)"])
        XCTAssertEqual(issues(summary, .warning), ["5 unknown_reference Maison mère (s.parent)"])
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM accounts WHERE customer_code LIKE 'CU0000%'"), 3)
        XCTAssertEqual(try text(test, "SELECT trade_name FROM accounts WHERE legal_name = 'Boulangerie Cœur de Lion'"),
                       "Cœur de Lion Traiteur")
    }

    // MARK: Sample datasets

    func testCustomersLayout() throws {
        let test = try TestDatabase()
        let summary = try load(test, "customers-100_layout.csv")
        XCTAssertEqual(summary.imported, 5)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(issues(summary, .rejected), ["7 duplicate_key Customer Id"])
        XCTAssertEqual(issues(summary, .warning), [])
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM accounts WHERE legal_name = 'Garnier, Roy and Petit'"), 1)
        XCTAssertEqual(try text(test, "SELECT customer_since FROM accounts WHERE legal_name = 'Raman, Iyer and Shah'"),
                       "2020-02-29")
        XCTAssertEqual(try text(test, "SELECT mobile FROM contacts WHERE last_name = 'Quentin'"), "001-555-0101x221")
        XCTAssertEqual(try text(test, "SELECT country FROM accounts WHERE legal_name = 'Raman, Iyer and Shah'"), "KR")
    }

    // MARK: SIRENE

    func testSireneExtract() throws {
        let test = try TestDatabase()
        let summary = try load(test, "StockUniteLegale_extract.csv")
        XCTAssertEqual(summary.source, .sirene)
        XCTAssertEqual(summary.imported, 8)
        XCTAssertEqual(summary.rejected, 3)
        XCTAssertEqual(issues(summary, .rejected), ["8 non_diffusible_no_name denominationUniteLegale",
                                                    "10 invalid_siren siren", "12 duplicate_key siren"])
        XCTAssertEqual(issues(summary, .warning), ["6 invalid_date dateCreationUniteLegale",
                                                   "7 inactive etatAdministratifUniteLegale",
                                                   "11 invalid_date dateCreationUniteLegale"])
        XCTAssertEqual(try text(test, "SELECT legal_name FROM accounts WHERE siren = '016750697'"), "ETS J VIRLY S A")
        XCTAssertEqual(try text(test, "SELECT legal_name FROM accounts WHERE siren = '350718466'"), "Jules TESTARD")
        XCTAssertEqual(try text(test, "SELECT trade_name FROM accounts WHERE siren = '732829320'"), "ATELIER LUMIÈRE")
        XCTAssertEqual(try integer(test, "SELECT active FROM accounts WHERE siren = '621094853'"), 0)
        XCTAssertNil(try text(test, "SELECT creation_date FROM accounts WHERE siren = '482915733'"))
        XCTAssertEqual(try text(test, "SELECT creation_date FROM accounts WHERE siren = '016750697'"), "1967-01-01")
    }

    // MARK: Spreadsheets

    func testExcelFrenchWindows1252() throws {
        let test = try TestDatabase()
        let summary = try load(test, "excel_fr_semicolon_cp1252.csv") { $0.locale = .fr }
        XCTAssertEqual(summary.encoding, .windows1252)
        XCTAssertEqual(summary.imported, 4)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(issues(summary, .rejected), ["3 invalid_siret SIRET"])
        XCTAssertEqual(issues(summary, .warning), ["4 invalid_date Date de création", "5 postal_code_padded Code postal",
                                                   "6 postal_code_padded Code postal", "6 invalid_date Date de création"])
        let rows = try test.database.query("""
            SELECT legal_name, postal_code, annual_revenue, credit_limit, discount_percent, creation_date, payment_term,
                   payment_method FROM accounts ORDER BY id
            """).map { row in (0..<8).map { index -> String in
                row[index].text ?? row[index].integer.map { String($0) } ?? "null" } }
        XCTAssertEqual(rows, [
            ["Boulangerie Cœur de Lion", "44000", "125000050", "1500000", "2.5", "2015-02-01", "30EOM", "TRANSFER"],
            ["Brasserie du Vieux-Port", "13002", "null", "0", "null", "null", "RECEIPT", "CASH"],
            ["Œnothèque Éléonore", "01000", "9550075", "250000", "10", "2024-02-29", "NET60", "LCR"],
            ["Garage Ändersson & Fils", "02100", "-120000", "0", "null", "null", "NET30", "TRANSFER"],
        ])
    }

    func testExcelUTF8WithBOM() throws {
        let test = try TestDatabase()
        let summary = try load(test, "excel_utf8_bom.csv")
        XCTAssertEqual(summary.imported, 3)
        XCTAssertEqual(summary.rejected, 0)
        XCTAssertEqual(try text(test, "SELECT email FROM contacts WHERE last_name = 'Lefèvre'"), "zoe.lefevre@example.com")
        XCTAssertEqual(try test.database.query("SELECT legal_name FROM accounts ORDER BY id").compactMap { $0.string(0) },
                       ["Ateliers Lefèvre", "Çelik İnşaat", "株式会社サンプル"])
    }

    func testMultilineQuotesAndBrokenQuote() throws {
        let test = try TestDatabase()
        let summary = try load(test, "multiline_quotes_emptylines.csv")
        XCTAssertEqual(summary.imported, 4)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(issues(summary, .rejected), ["11 unterminated_quote -"])
        XCTAssertEqual(try test.database.query("SELECT legal_name FROM accounts ORDER BY id").compactMap { $0.string(0) },
                       ["Dupont, Durand & Cie", "Ateliers Mercier", "Quote at end\"", "Cabinet Vidal"])
        XCTAssertEqual(try text(test, "SELECT text FROM notes WHERE account_id = 1"),
                       "Ligne 1\nLigne 2 avec \"guillemets\" et ; point-virgule\n\nLigne 4 après une ligne vide")
        XCTAssertEqual(try integer(test, "SELECT annual_revenue FROM accounts WHERE legal_name = 'Cabinet Vidal'"), 700)
        XCTAssertEqual(try text(test, "SELECT first_name || '|' || last_name FROM contacts WHERE last_name = 'Vidal'"),
                       "Hélène|Vidal")
        XCTAssertEqual(try integer(test, "SELECT count(*) FROM accounts WHERE legal_name LIKE '%After%'"), 0)
    }
}
