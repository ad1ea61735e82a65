#if canImport(Glibc)
import Glibc
#endif

/// Reads a file line by line in chunks, for JSON-lines input.
final class JSONLinesReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private(set) var line = 0

    init(path: String) throws(CRMError) {
        guard let file = fopen(path, "rb") else {
            throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
    }

    deinit { fclose(file) }

    /// The next line without its line break, or nil at the end.
    func next() -> [UInt8]? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                var bytes = Array(buffer[position..<newline])
                position = newline + 1
                line += 1
                if bytes.last == 0x0D { bytes.removeLast() }
                return bytes
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                let bytes = Array(buffer[position...])
                position = buffer.count
                line += 1
                return bytes
            }
            buffer.removeFirst(position)
            position = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: 1 << 16) { pointer, count in
                count = fread(pointer.baseAddress, 1, 1 << 16, file)
            }
            if chunk.count < 1 << 16 { atEnd = true }
            buffer += chunk
        }
    }
}

/// `crm export --format json` files: one JSON object per line.
extension ImportRun {
    /// True when the first character of the file that is not white space
    /// is `{`.
    func isJSONLines() throws(CRMError) -> Bool {
        let bytes = try FileSystem.readPrefix(path, count: 4096)
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return bytes[start...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
    }

    func processNextJSON(_ reader: JSONLinesReader) throws(CRMError) -> Bool {
        guard let bytes = reader.next() else { return false }
        let line = reader.line
        lastProcessedLine = line
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
        summary.rowsRead += 1
        guard let text = String(validating: bytes, as: UTF8.self) else {
            try reject(line: line, code: "invalid_encoding", column: nil, "the line is not valid UTF-8")
            return true
        }
        let object: Value
        do {
            object = try JSON.decode(text)
        } catch {
            try reject(line: line, code: "invalid_json", column: nil, "the line is not a JSON object: \(error)")
            return true
        }
        guard case let .object(pairs) = object else {
            try reject(line: line, code: "invalid_json", column: nil, "the line is not a JSON object")
            return true
        }
        var fields: [ImportField: String] = [:]
        var lists: [String: [String]] = [:]
        var externalIds: [(String, String)] = []
        for (key, value) in pairs {
            switch value {
            case let .string(text) where !text.isEmpty: ImportField(rawValue: key).map { fields[$0] = text }
            case let .integer(number): ImportField(rawValue: key).map { fields[$0] = String(number) }
            case let .bool(flag): ImportField(rawValue: key).map { fields[$0] = flag ? "1" : "0" }
            case let .array(items) where key == "externalIds":
                for item in items {
                    if let source = item["source"]?.stringValue, let id = item["id"]?.stringValue {
                        externalIds.append((source, id))
                    }
                }
            case let .array(items): lists[key] = items.compactMap(\.stringValue)
            default: break
            }
        }
        let type = pairs.first { $0.0 == "type" }?.1.stringValue
        switch (options.entity, type) {
        case (.accounts, "account"?), (.accounts, nil):
            guard var draft = try accountDraft(fields, line: line) else { return true }
            draft.ownerId = try owner(named: fields[.owner], line: line)
            draft.tags = lists["tags"] ?? []
            draft.notes = lists["notes"] ?? []
            draft.ibans = lists["bankAccounts"] ?? draft.ibans
            let before = summary.imported
            try store(draft)
            if summary.imported > before, let id = lastAccountId {
                for (source, externalId) in externalIds where source != ImportSource.crm.rawValue {
                    try saveExternalId("account", id: id, externalId: externalId, source: source)
                }
            }
        case (.contacts, "contact"?), (.contacts, nil):
            guard var draft = try contactDraft(fields, line: line, requireEmailShape: true) else { return true }
            draft.ownerId = try owner(named: fields[.owner], line: line)
            try store(draft)
        case (.opportunities, "opportunity"?), (.opportunities, nil):
            guard let draft = try opportunityDraft(fields, line: line) else { return true }
            if let id = try store(draft) {
                for (source, externalId) in externalIds where source != ImportSource.crm.rawValue {
                    try saveExternalId("opportunity", id: id, externalId: externalId, source: source)
                }
            }
        default:
            try reject(line: line, code: "wrong_record_type", column: nil,
                       "the line holds a \(type ?? "record") but this import reads \(options.entity.rawValue)")
        }
        return true
    }

    /// The owner named in a `crm` export, when that user exists here and
    /// may own records; otherwise the import's owner, with a warning.
    func owner(named name: String?, line: Int) throws(CRMError) -> Int64? {
        guard let name else { return nil }
        if let cached = ownerIdsByName[name] { return cached }
        var resolved: Int64?
        if let user = try Users.find(database, name: name), user.active, user.role != .accounting {
            if user.id == context.actor.id || context.actor.role == .admin {
                resolved = user.id
            } else if (try? Accounts.requireOwnerAssignable(context, ownerId: user.id)) != nil {
                resolved = user.id
            }
        }
        ownerIdsByName[name] = resolved
        if resolved == nil {
            try warn(line: line, code: "unknown_owner", field: .owner,
                     "the owner is not a user who may own records here; the import's owner is used")
        }
        return resolved
    }
}

extension FileSystem {
    /// Reads at most `count` bytes from the start of a file.
    static func readPrefix(_ path: String, count: Int) throws(CRMError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, read in
            read = fread(buffer.baseAddress, 1, count, file)
        }
    }
}
