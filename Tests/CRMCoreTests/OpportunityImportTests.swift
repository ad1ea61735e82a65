import CRMCore
import Foundation
import XCTest

/// Import of Salesforce's Opportunity.csv and the export round trip.
final class OpportunityImportTests: XCTestCase {
    private func load(_ test: TestDatabase, _ path: String, _ entity: ImportEntity,
                      source: ImportSource? = nil) throws -> ImportSummary {
        var options = ImportOptions(entity: entity)
        options.source = source
        return try Importer.run(test.context(as: "admin", command: "import"), path: path, options: options)
    }

    private func issues(_ summary: ImportSummary, _ severity: ImportIssue.Severity) -> [String] {
        summary.issues.filter { $0.severity == severity }.map { "\($0.line) \($0.code) \($0.column ?? "-")" }
    }

    private func deals(_ test: TestDatabase) throws -> [String] {
        try test.database.query("""
            SELECT o.title || '|' || a.legal_name || '|' || coalesce(o.amount, 'null') || '|' || o.currency || '|'
                   || s.code || '|' || o.probability || '|' || o.expected_close || '|' || coalesce(o.closed_on, '-')
            FROM opportunities o JOIN stages s ON s.id = o.stage_id JOIN accounts a ON a.id = o.account_id
            ORDER BY o.id
            """).map { $0.string(0)! }
    }

    func testSalesforceOpportunities() throws {
        let test = try TestDatabase()
        _ = try load(test, ImportTests.fixture("Account.csv"), .accounts)
        let summary = try load(test, ImportTests.fixture("Opportunity.csv"), .opportunities)
        XCTAssertEqual(summary.source, .salesforce)
        XCTAssertEqual(summary.rowsRead, 7)
        XCTAssertEqual(summary.imported, 5)
        XCTAssertEqual(summary.skipped, 1)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(issues(summary, .skipped), ["9 deleted_in_source IsDeleted"])
        XCTAssertEqual(issues(summary, .rejected), ["4 invalid_date CloseDate"])
        XCTAssertEqual(issues(summary, .warning), ["2 unknown_stage StageName", "5 unknown_stage StageName",
                                                   "8 unknown_stage StageName"])
        XCTAssertEqual(summary.issues.first { $0.line == 2 }?.message,
                       "the stage is not one of this CRM; the deal goes to the open stage NEGOTIATE, the one whose "
                       + "default probability is nearest 60%; map stages with a --mapping file")
        XCTAssertEqual(try deals(test), [
            "Edge Emergency Generator|Edge Communications|7500000|EUR|NEGOTIATE|60|2026-07-01|-",
            "Burlington Textiles Weaving Plant Generator|Burlington Textiles Corp of America|23500000|EUR|WON|100|"
                + "2026-03-31|2026-03-31",
            "United Oil Office Portable Generators|United Oil & Gas Corp.|12500000|EUR|NEGOTIATE|90|2026-09-30|-",
            "GenePoint Lab Generators|GenePoint|6000000|EUR|LOST|0|2026-05-15|2026-05-15",
            "United Oil Installations|United Oil & Gas, Singapore|null|EUR|PROPOSE|50|2026-12-15|-",
        ])
        XCTAssertEqual(try test.database.scalar("SELECT description FROM opportunities WHERE id = 3").text,
                       "Multi-line\ndescription with a comma, and a \"quote\"")
        XCTAssertEqual(try test.database.scalar("""
            SELECT count(*) FROM external_ids WHERE entity = 'opportunity' AND source = 'salesforce'
            """).integer, 5)
        XCTAssertEqual(try test.database.scalar("""
            SELECT count(*) FROM audit_log WHERE entity = 'opportunity' AND action = 'create'
            """).integer, 5)
        XCTAssertEqual(test.host.fired.filter { $0.0 == "onOpportunityCreated" }.count, 5)
        XCTAssertEqual(test.host.fired.last?.1["amount"], .null)

        let again = try load(test, ImportTests.fixture("Opportunity.csv"), .opportunities)
        XCTAssertEqual(again.imported, 0)
        XCTAssertEqual(again.unchanged, 5)
        XCTAssertEqual(try test.count("opportunities"), 5)
    }

    func testUnknownAccountIsRejected() throws {
        let test = try TestDatabase()
        let summary = try load(test, ImportTests.fixture("Opportunity.csv"), .opportunities)
        XCTAssertEqual(summary.imported, 0)
        XCTAssertEqual(issues(summary, .rejected), ["2 unknown_reference AccountId", "3 unknown_reference AccountId",
                                                    "4 invalid_date CloseDate", "5 unknown_reference AccountId",
                                                    "7 unknown_reference AccountId", "8 unknown_reference AccountId"])
    }

    func testGenericFileMapsStagesByProbability() throws {
        let test = try TestDatabase()
        _ = try Accounts.add(test.context(as: "admin"), legalName: "Atelier Lumière", fields: [.city: "Paris"])
        let path = test.folder.appendingPathComponent("deals.csv").path
        try """
            Deal;Compte;Étape;Montant;Probabilité;Date de clôture
            Showroom;Atelier Lumière;Négociation;1 250,50;80;15/06/2026
            Vitrine;1;Perdu;300;;01/02/2026
            Entrepôt;1;;;;30/09/2026
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try load(test, path, .opportunities)
        XCTAssertEqual(summary.source, .generic)
        XCTAssertEqual(summary.imported, 3)
        XCTAssertEqual(issues(summary, .warning), ["2 unknown_stage Étape"])
        XCTAssertEqual(try deals(test), [
            "Showroom|Atelier Lumière|125050|EUR|NEGOTIATE|80|2026-06-15|-",
            "Vitrine|Atelier Lumière|30000|EUR|LOST|0|2026-02-01|2026-02-01",
            "Entrepôt|Atelier Lumière|null|EUR|QUALIFY|10|2026-09-30|-",
        ])
    }

    func testMappingFileNamesStages() throws {
        let test = try TestDatabase()
        _ = try Accounts.add(test.context(as: "admin"), legalName: "Atelier Lumière", fields: [:])
        let path = test.folder.appendingPathComponent("deals.csv").path
        try "title,account,stage,close date\nShowroom,1,Négociation,2026-06-15\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let mapping = test.folder.appendingPathComponent("mapping.json").path
        try #"{"values": {"stage": {"Négociation": "PROPOSE"}}}"#.write(toFile: mapping, atomically: true, encoding: .utf8)
        var options = ImportOptions(entity: .opportunities)
        options.mapping = try ImportMapping.load(path: mapping)
        let summary = try Importer.run(test.context(as: "admin"), path: path, options: options)
        XCTAssertEqual(summary.imported, 1)
        XCTAssertEqual(summary.warnings, 0)
        XCTAssertEqual(try deals(test), ["Showroom|Atelier Lumière|null|EUR|PROPOSE|40|2026-06-15|-"])
    }

    func testJSONExportImportsBackWithoutLoss() throws {
        let source = try TestDatabase()
        _ = try load(source, ImportTests.fixture("Account.csv"), .accounts)
        _ = try load(source, ImportTests.fixture("Opportunity.csv"), .opportunities)
        let admin = source.context(as: "admin")
        let contact = try Contacts.add(admin, account: 1, fields: [.lastName: "Avery", .email: "avery@example.com"])
        var changes = OpportunityChanges()
        changes.title = "Spare parts"
        changes.amount = "1999.99"
        changes.currency = "USD"
        changes.expectedClose = "2026-04-30"
        changes.contactId = contact.id
        changes.source = "Trade fair"
        let manual = try Opportunities.add(admin, account: 1, changes: changes, stage: "PROPOSE")
        try Opportunities.lose(admin, id: manual.id, reason: "COMPETITOR", note: "Chose a local supplier")

        var files: [ExportEntity: String] = [:]
        for entity in [ExportEntity.accounts, .contacts, .opportunities] {
            var text = ""
            try Exporter.export(admin, entity: entity, format: .json) { (chunk: String) throws(CRMError) in text += chunk }
            let path = source.folder.appendingPathComponent("\(entity.rawValue).jsonl").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files[entity] = path
        }

        let target = try TestDatabase()
        XCTAssertEqual(try load(target, files[.accounts]!, .accounts, source: .crm).imported, 10)
        XCTAssertEqual(try load(target, files[.contacts]!, .contacts, source: .crm).imported, 1)
        let summary = try load(target, files[.opportunities]!, .opportunities, source: .crm)
        XCTAssertEqual(summary.imported, 6)
        XCTAssertEqual(summary.issues.count, 0)

        var before = ""
        try Exporter.export(admin, entity: .opportunities, format: .json) { (chunk: String) throws(CRMError) in
            before += chunk
        }
        var after = ""
        try Exporter.export(target.context(as: "admin"), entity: .opportunities, format: .json) {
            (chunk: String) throws(CRMError) in after += chunk
        }
        let crmIds = try NSRegularExpression(pattern: #"\{"source":"crm","id":"[0-9]+"\},?"#)
        let cleaned = crmIds.stringByReplacingMatches(in: after, range: NSRange(after.startIndex..., in: after),
                                                      withTemplate: "")
        XCTAssertEqual(cleaned.replacingOccurrences(of: ",]", with: "]"), before)
        XCTAssertTrue(before.contains(#""amount":"1999.99","currency":"USD","stage":"LOST","probability":0"#))
        XCTAssertTrue(before.contains(#""lossReason":"COMPETITOR","lossNote":"Chose a local supplier""#))
        XCTAssertTrue(before.contains(#""contact":"1""#))
        XCTAssertEqual(try target.database.scalar("SELECT contact_id FROM opportunities WHERE id = 6").integer, 1)
    }
}

/// Exact output of the export-only entities.
final class PipelineExportTests: XCTestCase {
    private func export(_ context: CRMContext, _ entity: ExportEntity, _ format: ExportFormat) throws -> (String, Int) {
        var text = ""
        let count = try Exporter.export(context, entity: entity, format: format) { (chunk: String) throws(CRMError) in
            text += chunk
        }
        return (text, count)
    }

    func testQuotesAndActivitiesExport() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        let alice = fixture.context(as: "alice")
        let quote = try Quotes.create(alice, opportunityId: deal.id)
        _ = try Quotes.addLine(alice, key: quote.reference, QuoteLineChange(
            description: "Lampe, laiton", quantity: "3", unit: "piece", unitPrice: "19.99", vatRate: "20"))
        _ = try Quotes.addLine(alice, key: quote.reference, QuoteLineChange(
            description: "Pose", quantity: "1.5", unitPrice: "60", discount: "10", vatRate: "10"))
        _ = try Quotes.send(alice, key: quote.reference)
        _ = try Quotes.create(alice, accountId: 1)

        let (csv, quotes) = try export(alice, .quotes, .csv)
        XCTAssertEqual(quotes, 2)
        XCTAssertEqual(csv.components(separatedBy: "\r\n"), [
            "id,reference,number,status,account,opportunity,currency,globalDiscount,issueDate,validUntil,"
                + "totalExcludingTax,totalTax,totalIncludingTax,declineReason,createdBy,createdAt,line,description,"
                + "quantity,unit,unitPrice,discount,vatRate,net",
            "1,DRAFT-000001,Q-2026-00001,sent,1,1,EUR,0,2026-03-02,2026-04-01,140.97,20.09,161.06,,alice,"
                + "2026-03-02T12:00:00Z,1,\"Lampe, laiton\",3,piece,19.99,0,20,59.97",
            "1,DRAFT-000001,Q-2026-00001,sent,1,1,EUR,0,2026-03-02,2026-04-01,140.97,20.09,161.06,,alice,"
                + "2026-03-02T12:00:00Z,2,Pose,1.5,,60,10,10,81.00",
            "2,DRAFT-000002,,draft,1,,EUR,0,,,0.00,0.00,0.00,,alice,2026-03-02T12:00:00Z,,,,,,,,",
            "",
        ])
        let (json, count) = try export(alice, .quotes, .json)
        XCTAssertEqual(count, 2)
        XCTAssertEqual(json.split(separator: "\n").first.map(String.init),
                       #"{"type":"quote","id":"1","reference":"DRAFT-000001","number":"Q-2026-00001","status":"sent","#
                       + #""account":"1","opportunity":"1","currency":"EUR","globalDiscount":"0","issueDate":"2026-03-02","#
                       + #""validUntil":"2026-04-01","totalExcludingTax":"140.97","totalTax":"20.09","#
                       + #""totalIncludingTax":"161.06","declineReason":null,"createdBy":"alice","#
                       + #""createdAt":"2026-03-02T12:00:00Z","lines":[{"line":1,"description":"Lampe, laiton","#
                       + #""quantity":"3","unit":"piece","unitPrice":"19.99","discount":"0","vatRate":"20","net":"59.97"},"#
                       + #"{"line":2,"description":"Pose","quantity":"1.5","unit":null,"unitPrice":"60","discount":"10","#
                       + #""vatRate":"10","net":"81.00"}]}"#)

        let (activities, activityCount) = try export(alice, .activities, .csv)
        XCTAssertEqual(activityCount, 1)
        XCTAssertEqual(activities, "id,kind,subject,account,contact,opportunity,quote,owner,status,dueDate,dueAt,"
                       + "doneAt,outcome,policy,event,cancelReason,createdAt\r\n"
                       + "1,call,Call back about the new opportunity,1,,1,,alice,planned,2026-03-04,,,,test-policy,"
                       + "onOpportunityCreated,,2026-03-02T12:00:00Z\r\n")
        XCTAssertEqual(try export(fixture.context(as: "bob"), .quotes, .csv).1, 0)
    }
}
