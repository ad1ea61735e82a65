import CRMCore

let databaseCommands: [CommandSpec] = [
    CommandSpec(
        path: ["db", "check"], summary: "Check the database file and the invariants of its records",
        access: .read,
        discussion: """
            Runs SQLite's integrity_check and foreign_key_check, then checks that every customer was opened
            by an approved request or imported, that quote totals match their lines, that quote sequences
            are past every number issued and that every pack has its files. Each problem is printed with
            its entity and id; the exit status is 1 when there is any.
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            try context.require(.admin, .accounting, to: "check the database")
            let violations = try DatabaseCheck.run(context.database)
            if invocation.json {
                Output.json(.array(violations.map {
                    .object([("entity", .string($0.entity)), ("id", .integer($0.id)), ("problem", .string($0.problem))])
                }))
            } else if violations.isEmpty {
                Output.line("No problems found.")
            } else {
                for violation in violations { Output.line(violation.description) }
            }
            guard violations.isEmpty else {
                throw CRMError(.database, "the database has \(violations.count) problem(s); restore it from a "
                                   + "backup with `crm db restore FILE`, or repair the records listed")
            }
        }),
    CommandSpec(
        path: ["db", "backup"], summary: "Copy the database to a new file while other commands keep running",
        arguments: [ArgumentSpec(name: "FILE", help: "New file to write; it must not exist yet")],
        access: .read,
        discussion: """
            Uses SQLite's online backup, a few pages at a time, and writes a single file readable by its owner
            only. The copy keeps everything, erased personal data included when the backup predates the erasure.
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            try context.require(.admin, to: "back up the database")
            let path = invocation.required("FILE")
            let pages = try Backup.write(context.database, to: path)
            if invocation.json { return Output.json(.object([("file", .string(path)), ("pages", .integer(pages))])) }
            Output.line("Wrote a backup of \(pages) pages to \(path) (readable by its owner only).")
        }),
    CommandSpec(
        path: ["db", "restore"], summary: "Replace the database with a backup",
        arguments: [ArgumentSpec(name: "FILE", help: "Backup written by `crm db backup`")],
        discussion: """
            The backup is checked first (SQLite's integrity check, a schema this crm knows), copied beside the
            database and renamed over it, so the database is never left half restored. Everything written
            since the backup is lost.
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            try context.require(.admin, to: "restore the database")
            let summary = try Backup.restore(context.database, from: invocation.required("FILE"))
            Output.line("Restored the database from \(invocation.required("FILE")): \(summary.accounts) accounts, "
                        + "schema version \(summary.migrations).")
        }),
]

let personalDataCommands: [CommandSpec] = [
    CommandSpec(
        path: ["contact", "export-personal-data"], summary: "Write everything held about a contact as JSON",
        arguments: [ArgumentSpec(name: "ID", help: "Contact id")],
        options: [.value("--output", "FILE", "Write to this new file, readable by its owner only (default: stdout)")],
        discussion: """
            For a person's right of access: their fields, the activities and deals linked to them, the notes
            of their account that mention their name or e-mail, the audit rows about them and the source ids
            they were imported with. The export is recorded in the audit log without its content.
            """,
        run: { (invocation) throws(CRMError) in
            let document = try PersonalData.export(try invocation.context(), contactId: try invocation.id("ID"))
            let text = JSON.encode(document, pretty: true) + "\n"
            guard let output = invocation.value("--output") else { return print(text, terminator: "") }
            guard !Database.fileExists(output) else {
                throw CRMError.conflict("\(output) already exists; choose a new file for the export")
            }
            try FileSystem.writeText(text, to: output, mode: 0o600)
            Output.line("Wrote the personal data of contact \(try invocation.id("ID")) to \(output).")
        }),
    CommandSpec(
        path: ["contact", "erase"], summary: "Erase a contact's personal data everywhere",
        arguments: [ArgumentSpec(name: "ID", help: "Contact id")],
        options: [.flag("--yes", "Confirm the erasure, which cannot be undone")],
        discussion: """
            For a person's right to erasure. Deletes the contact and their source ids, unlinks the activities
            and deals that named them (those records stay for accounting), blanks the values of the audit
            rows about them and replaces their e-mail, phone numbers and name with [erased] wherever they
            were copied. The file is then rebuilt and its WAL emptied so the bytes are gone from disk;
            backups taken before keep them until they expire.
            """,
        run: { (invocation) throws(CRMError) in
            guard invocation.flag("--yes") else {
                throw CRMError.usage("erasing contact \(invocation.required("ID")) cannot be undone; add --yes to confirm")
            }
            let erasure = try PersonalData.erase(try invocation.context(), contactId: try invocation.id("ID"))
            Output.line("Erased contact \(erasure.contactId): unlinked \(erasure.activitiesUnlinked) activities and "
                        + "\(erasure.opportunitiesUnlinked) deal links, anonymised \(erasure.auditRowsAnonymised) audit "
                        + "rows, replaced \(erasure.otherValuesReplaced) other values.")
            if !erasure.walTruncated {
                Output.error("crm: warning: another command kept the WAL file from being emptied; "
                             + "run `crm db check` when it has finished to empty it")
            }
        }),
]
