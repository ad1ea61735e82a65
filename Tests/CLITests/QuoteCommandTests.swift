import Foundation
import XCTest

/// A greyscale image read from a binary PGM (P5) file with 8-bit pixels.
private struct GreyImage {
    let width: Int
    let height: Int
    let pixels: [UInt8]

    init?(pgm data: Data) {
        let bytes = [UInt8](data)
        var index = 0
        func token() -> String? {
            while index < bytes.count, bytes[index] == 0x23 || [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) {
                if bytes[index] == 0x23 { while index < bytes.count, bytes[index] != 0x0A { index += 1 } }
                index += 1
            }
            let start = index
            while index < bytes.count, ![0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
            return start < index ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }
        guard token() == "P5", let width = token().flatMap(Int.init), let height = token().flatMap(Int.init),
              token() == "255" else { return nil }
        index += 1
        guard bytes.count - index == width * height else { return nil }
        self.width = width
        self.height = height
        pixels = Array(bytes[index...])
    }

    /// Mean absolute difference per pixel, 0 to 255.
    func meanDifference(from other: GreyImage) -> Double {
        var total = 0
        for (left, right) in zip(pixels, other.pixels) { total += abs(Int(left) - Int(right)) }
        return Double(total) / Double(pixels.count)
    }
}

final class QuoteCommandTests: XCTestCase {
    private static let fixtures = CLISandbox.projectRoot.appendingPathComponent("Tests/CLITests/Fixtures")
    /// Largest mean absolute pixel difference, on a 0 to 255 scale, accepted
    /// between a 30 dpi rendering and the reference. The same build gives
    /// 0; a blank page differs from the reference by about 7.4, so this
    /// allows anti-aliasing changes between cairo or poppler versions but
    /// not a missing block of the page.
    private static let imageTolerance = 0.75

    /// Runs a program with the sandbox's environment and returns its output.
    private func tool(_ cli: CLISandbox, _ path: String, _ arguments: [String]) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = cli.environment
        environment["CRM_BIN"] = CLISandbox.binary
        process.environment = environment
        process.currentDirectoryURL = cli.folder
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    func testExampleQuoteTotals() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
        XCTAssertEqual(cli.ok(["vat", "add", "22"]), "Added the VAT rate 22%.\n")
        XCTAssertEqual(cli.ok(["quote", "new", "--account", "1"]), "Created quote DRAFT-000001 (draft) for account 1 in EUR.\n")
        XCTAssertEqual(cli.ok(["quote", "line", "add", "1", "--description", "Service A", "--qty", "16",
                               "--unit-price", "348.35", "--discount", "4", "--vat", "22"]),
                       "Added line 1 to quote DRAFT-000001; total excluding tax 5350.66 EUR.\n")
        let quote = try XCTUnwrap(cli.json(["quote", "show", "1"]) as? [String: Any])
        XCTAssertEqual(quote["totalExcludingTax"] as? [String: String], ["amount": "5350.66", "currency": "EUR"])
        XCTAssertEqual(quote["totalTax"] as? [String: String], ["amount": "1177.15", "currency": "EUR"])
        XCTAssertEqual(quote["totalIncludingTax"] as? [String: String], ["amount": "6527.81", "currency": "EUR"])
        XCTAssertEqual(quote["reference"] as? String, "DRAFT-000001")
        XCTAssertEqual(quote["status"] as? String, "draft")

        let bad = cli.run(["quote", "line", "add", "DRAFT-000001", "--description", "X", "--qty", "-1",
                           "--unit-price", "1", "--vat", "22"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stdout, "")
        XCTAssertEqual(bad.stderr, "crm: error: invalid --qty '-1': the quantity must be greater than 0\n")
        cli.ok(["user", "add", "alice", "--role", "sales"])
        let denied = cli.run(["vat", "add", "19.6"], as: "alice")
        XCTAssertEqual(denied.status, 1)
        XCTAssertEqual(denied.stderr, "crm: error: permission denied: to add a VAT rate you need the admin role "
                                      + "(alice is sales)\n")
        XCTAssertEqual(cli.ok(["vat", "list"]), "RATE\n22%\n20%\n10%\n8.5%\n5.5%\n2.1%\n0%\n")
    }

    /// Two shells send 200 quotes each at the same time: every number is
    /// issued once and the sequence has no gap.
    func testConcurrentSendsGiveDistinctNumbers() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
        cli.ok(["quote", "new", "--account", "1"])
        cli.ok(["quote", "line", "add", "1", "--description", "Conseil", "--qty", "1", "--unit-price", "100",
                "--vat", "20"])
        XCTAssertEqual(cli.sql("""
            WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
            INSERT INTO quotes (id, account_id, currency, total_excluding_tax, total_tax, total_including_tax,
                                created_by, created_at, updated_at)
            SELECT i, account_id, currency, total_excluding_tax, total_tax, total_including_tax, created_by,
                   created_at, updated_at FROM n, quotes WHERE quotes.id = 1;
            INSERT INTO quote_lines (quote_id, position, description, quantity, unit_price, discount, vat_rate, net)
            SELECT q.id, 1, l.description, l.quantity, l.unit_price, l.discount, l.vat_rate, l.net
            FROM quotes q, quote_lines l WHERE q.id > 1 AND l.quote_id = 1;
            SELECT count(*) FROM quotes WHERE status = 'draft';
            """), "400")
        let script = """
            "$CRM_BIN" quote send 1 >/dev/null 2>"$PWD/errors-odd" || exit 1
            (for i in $(seq 3 2 399); do "$CRM_BIN" quote send "$i" >/dev/null || exit 1; done) 2>>"$PWD/errors-odd" &
            odd=$!
            (for i in $(seq 2 2 400); do "$CRM_BIN" quote send "$i" >/dev/null || exit 1; done) 2>"$PWD/errors-even" &
            even=$!
            wait $odd || exit 2
            wait $even || exit 3
            """
        let (status, _) = try tool(cli, "/bin/sh", ["-c", script])
        let errors = (try? String(contentsOf: cli.folder.appendingPathComponent("errors-odd"), encoding: .utf8)) ?? ""
        XCTAssertEqual(status, 0, errors)
        XCTAssertEqual(cli.sql("SELECT count(*), count(DISTINCT number) FROM quotes WHERE status = 'sent'"), "400|400")
        XCTAssertEqual(cli.sql("SELECT min(number), max(number) FROM quotes"), "Q-2026-00001|Q-2026-00400")
        XCTAssertEqual(cli.sql("SELECT name, next_value FROM sequences"), "quote-2026|401")
    }

    /// A rep quotes a real company with three VAT rates and a global
    /// discount, sends it, renders the PDF and the customer accepts.
    func testRenderedPDFShowsTotalsAndMentions() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "carl", "--role", "accounting"])
        for (key, value) in [("company.legalName", "Lumière & Cœur"), ("company.legalForm", "SAS"),
                             ("company.capital", "10000"), ("company.address", "\"3 place de la Bourse\\n33000 Bordeaux\""),
                             ("company.siret", "\"73282932000074\""), ("company.rcsCity", "Bordeaux"),
                             ("company.vatNumber", "FR44732829320")] {
            cli.ok(["setting", "set", key, value])
        }
        cli.ok(["account", "add", "ETS J VIRLY S A", "--siren", "016750697", "--street", "12 avenue de l'Œuvre",
                "--postal-code", "01000", "--city", "Bourg-en-Bresse"], as: "alice")
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Virly", "--email", "achats@virly.example"],
               as: "alice")
        cli.ok(["opening", "request", "1"], as: "alice")
        cli.ok(["opening", "approve", "1", "--term", "30EOM", "--method", "TRANSFER"], as: "carl")
        cli.ok(["quote", "new", "--account", "1"], as: "alice")
        cli.ok(["quote", "line", "add", "1", "--description", "Étude préalable", "--qty", "2", "--unit", "jour",
                "--unit-price", "650", "--vat", "20"], as: "alice")
        cli.ok(["quote", "line", "add", "1", "--description", "Main-d'œuvre de pose", "--qty", "12.5", "--unit", "h",
                "--unit-price", "48.40", "--discount", "10", "--vat", "10"], as: "alice")
        cli.ok(["quote", "line", "add", "1", "--description", "Ouvrage « Lumière et cœur »", "--qty", "3",
                "--unit-price", "24.90", "--vat", "5.5"], as: "alice")
        cli.ok(["quote", "discount", "1", "5"], as: "alice")
        XCTAssertEqual(cli.ok(["quote", "send", "DRAFT-000001"], as: "alice"),
                       "Sent quote Q-2026-00001 (was DRAFT-000001); valid until 2026-04-01.\n")
        XCTAssertEqual(cli.sql("SELECT plugin, source, result FROM decisions WHERE rule = 'quoteNumber'"),
                       "quote-number|bundled plugins/quote-number.lua|\"Q-2026-00001\"")
        XCTAssertEqual(cli.ok(["quote", "render", "Q-2026-00001", "--format", "pdf", "--output", "devis.pdf"],
                              as: "alice"), "Wrote devis.pdf (PDF of quote Q-2026-00001).\n")
        let pdf = cli.folder.appendingPathComponent("devis.pdf").path

        let (textStatus, textData) = try tool(cli, "/usr/bin/pdftotext", ["-layout", pdf, "-"])
        XCTAssertEqual(textStatus, 0)
        // pdftotext writes U+202F and U+00A0 as plain spaces; runs of spaces come from the layout.
        let text = String(decoding: textData, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .joined(separator: " ")
        for mention in [
            "Lumière & Cœur", "SAS au capital de 10 000,00 €", "3 place de la Bourse", "33000 Bordeaux",
            "SIRET : 73282932000074", "RCS Bordeaux 732829320", "N° TVA intracommunautaire : FR44732829320",
            "ETS J VIRLY S A", "12 avenue de l'Œuvre", "01000 Bourg-en-Bresse", "Devis N° Q-2026-00001",
            "Date : 02/03/2026", "Valable jusqu’au : 01/04/2026",
            "1 Étude préalable 2 jour 650,00 € 20 % 1 300,00 €",
            "2 Main-d'œuvre de pose 12,5 h 48,40 € 10 % 10 % 544,50 €",
            "3 Ouvrage « Lumière et cœur » 3 24,90 € 5,5 % 74,70 €",
            "20 % 1 235,00 € 247,00 €", "10 % 517,28 € 51,73 €", "5,5 % 70,97 € 3,90 €",
            "Total HT avant remise 1 919,20 €", "Remise globale 5 % -95,95 €", "Total HT 1 823,25 €",
            "Total TVA 302,63 €", "Total TTC 2 125,88 €", "Conditions de paiement : 30 jours fin de mois",
            "Mode de paiement : Virement", "Bon pour accord", "Date :", "Signature :",
        ] {
            XCTAssertTrue(text.contains(mention), "missing \(mention) in: \(text)")
        }

        let (fontStatus, fontData) = try tool(cli, "/usr/bin/pdffonts", [pdf])
        XCTAssertEqual(fontStatus, 0)
        let fonts = String(decoding: fontData, as: UTF8.self).split(separator: "\n").dropFirst(2)
        XCTAssertFalse(fonts.isEmpty)
        for font in fonts {
            let columns = font.split(separator: " ")
            XCTAssertTrue(font.hasPrefix("DejaVu") || font.contains("+DejaVuSans"), String(font))
            XCTAssertEqual(columns[columns.count - 5], "yes", "not embedded: \(font)")
        }

        let (imageStatus, _) = try tool(cli, "/usr/bin/pdftoppm", ["-gray", "-r", "30", "-singlefile", pdf, "page"])
        XCTAssertEqual(imageStatus, 0)
        let rendered = try XCTUnwrap(GreyImage(pgm: try Data(contentsOf: cli.folder.appendingPathComponent("page.pgm"))))
        let referenceURL = QuoteCommandTests.fixtures.appendingPathComponent("quote-page1-30dpi.pgm")
        if !FileManager.default.fileExists(atPath: referenceURL.path) {
            try FileManager.default.copyItem(at: cli.folder.appendingPathComponent("page.pgm"), to: referenceURL)
            XCTFail("wrote a new reference image to \(referenceURL.path); look at it, then commit it")
        }
        let reference = try XCTUnwrap(GreyImage(pgm: try Data(contentsOf: referenceURL)))
        XCTAssertEqual(rendered.width, reference.width)
        XCTAssertEqual(rendered.height, reference.height)
        let difference = rendered.meanDifference(from: reference)
        XCTAssertLessThanOrEqual(difference, QuoteCommandTests.imageTolerance)
        let blank = GreyImage(pgm: Data("P5 \(reference.width) \(reference.height) 255\n".utf8)
            + Data(repeating: 255, count: reference.width * reference.height))!
        XCTAssertGreaterThan(reference.meanDifference(from: blank), 5 * QuoteCommandTests.imageTolerance)

        XCTAssertEqual(cli.ok(["quote", "render", "1", "--output", "devis.html"], as: "alice"),
                       "Wrote devis.html (HTML of quote 1).\n")
        let html = try String(contentsOf: cli.folder.appendingPathComponent("devis.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<td>Total TTC</td><td class=\"amount\">2\u{202F}125,88\u{00A0}€</td>"))
        XCTAssertTrue(html.contains("Lumière &amp; Cœur"))

        XCTAssertEqual(cli.ok(["quote", "accept", "Q-2026-00001"], as: "alice"), "Accepted quote Q-2026-00001.\n")
        XCTAssertEqual(cli.sql("SELECT status FROM quotes WHERE id = 1"), "accepted")
    }
}

final class QuoteNumberingTests: XCTestCase {
    func testNumbersRestartWithTheYear() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME"])
        for (day, expected) in [("2026-12-30", "Q-2026-00001"), ("2026-12-31", "Q-2026-00002"),
                                ("2027-01-04", "Q-2027-00001"), ("2027-01-05", "Q-2027-00002")] {
            cli.ok(["quote", "new", "--account", "1", "--today", day])
            let id = cli.sql("SELECT max(id) FROM quotes")
            cli.ok(["quote", "line", "add", id, "--description", "Service", "--qty", "1", "--unit-price", "100",
                    "--vat", "20", "--today", day])
            XCTAssertEqual(cli.ok(["quote", "send", id, "--today", day]),
                           "Sent quote \(expected) (was DRAFT-\(String(repeating: "0", count: 6 - id.count) + id)); valid until "
                           + "\(cli.sql("SELECT date('\(day)', '+30 days')")).\n")
        }
        XCTAssertEqual(cli.sql("SELECT name || '=' || next_value FROM sequences ORDER BY name"), "quote-2026=3\nquote-2027=3")
    }
}
