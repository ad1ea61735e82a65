#if canImport(Glibc)
import Glibc
#endif

/// One record of a CSV file with the physical lines it covers (1-based;
/// a record with a quoted line break covers several).
public struct CSVRecord: Sendable {
    public let line: Int
    public let lastLine: Int
    public var fields: [String]
}

/// What the reader returns for each record.
public enum CSVItem: Sendable {
    case record(CSVRecord)
    /// A quoted field opened on `line` and never closed before the end of
    /// the file; lines `line` to `lastLine` are dropped.
    case unterminatedQuote(line: Int, lastLine: Int)
    /// A field whose bytes are not valid in the file's encoding.
    case invalidEncoding(line: Int, lastLine: Int, column: Int)
    /// A field longer than `CSVReader.maximumFieldBytes`.
    case fieldTooLong(line: Int, lastLine: Int, column: Int)
}

/// A streaming RFC 4180 reader. It reads the file in chunks with `fread`,
/// so memory stays flat however large the file is, and it keeps only the
/// record being parsed.
///
/// - Encoding: UTF-8 with or without a BOM, Windows-1252 or ISO-8859-1,
///   declared or detected. Detection takes UTF-8 unless the first bytes
///   that are not ASCII are invalid UTF-8, then Windows-1252.
/// - Delimiter: `,`, `;` or tab, declared or detected from the header line
///   (the one found most often outside quotes; `,` on a tie).
/// - Line ends: LF, CRLF or a lone CR. Inside a quoted field a line break
///   is kept as LF.
/// - Lines that are empty or hold only spaces and tabs are skipped.
public final class CSVReader {
    /// Longest field accepted: a larger one is almost always a quote that
    /// was never closed, and keeping it would make memory grow with the file.
    public static let maximumFieldBytes = 1 << 20
    static let chunkSize = 1 << 16

    public let path: String
    public private(set) var encoding: TextEncoding?
    public private(set) var delimiter = UInt8(ascii: ",")
    public private(set) var header: [String] = []
    /// True when the header ends with an empty field, which Dolibarr
    /// writes because it puts a separator after every field.
    public private(set) var hasTrailingSeparator = false
    /// Total size of the file and bytes consumed so far, for progress bars.
    public let fileSize: Int
    public var bytesRead: Int { consumedBeforeChunk + position }

    private let file: UnsafeMutablePointer<FILE>
    private var chunk: [UInt8] = []
    private var position = 0
    private var consumedBeforeChunk = 0
    private var atEndOfFile = false
    private var line = 1

    public init(path: String, encoding declaredEncoding: TextEncoding? = nil,
                delimiter declaredDelimiter: UInt8? = nil) throws(CRMError) {
        guard let file = fopen(path, "rb") else {
            throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        self.path = path
        var info = stat()
        fileSize = stat(path, &info) == 0 ? Int(info.st_size) : 0
        encoding = declaredEncoding
        chunk.reserveCapacity(CSVReader.chunkSize)
        refill()
        if chunk.starts(with: [0xEF, 0xBB, 0xBF]) {
            position = 3
            if encoding == nil { encoding = .utf8 }
        }
        if encoding == nil {
            let sample = chunk[position...]
            if sample.contains(where: { $0 >= 0x80 }) {
                encoding = TextEncoding.isValidUTF8Prefix(sample) ? .utf8 : .windows1252
            }
        }
        delimiter = declaredDelimiter ?? CSVReader.detectDelimiter(chunk[position...])

        var headerFields: [String] = []
        var trailing = false
        while let item = try readItem() {
            guard case let .record(record) = item else {
                // `deinit` closes the file: it runs when an initializer throws
                // after every stored property is set.
                throw CRMError.invalid("\(path): the header line cannot be read (\(CSVReader.describe(item))); "
                                       + "check the file's encoding and quotes")
            }
            headerFields = record.fields.map { $0.trimmingSpaces }
            if headerFields.count > 1, headerFields.last == "" {
                headerFields.removeLast()
                trailing = true
            }
            break
        }
        guard !headerFields.isEmpty else {
            throw CRMError.invalid("\(path) is empty: expected a header line and rows")
        }
        header = headerFields
        hasTrailingSeparator = trailing
    }

    deinit { fclose(file) }

    static func describe(_ item: CSVItem) -> String {
        switch item {
        case .record: return "a record"
        case .unterminatedQuote: return "a quote is never closed"
        case .invalidEncoding: return "invalid bytes for the encoding"
        case .fieldTooLong: return "a field is too long"
        }
    }

    /// Counts `,`, `;` and tab outside quotes on the first line.
    static func detectDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var inQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == 0x0A || byte == 0x0D { break }
            if counts[byte] != nil { counts[byte]! += 1 }
        }
        let best = counts.max { left, right in
            left.value != right.value ? left.value < right.value : left.key != UInt8(ascii: ",")
        }!
        return best.value == 0 ? UInt8(ascii: ",") : best.key
    }

    private func refill() {
        consumedBeforeChunk += chunk.count
        chunk.removeAll(keepingCapacity: true)
        position = 0
        guard !atEndOfFile else { return }
        chunk = [UInt8](unsafeUninitializedCapacity: CSVReader.chunkSize) { buffer, count in
            count = fread(buffer.baseAddress, 1, CSVReader.chunkSize, file)
        }
        if chunk.count < CSVReader.chunkSize { atEndOfFile = true }
    }

    /// Returns the next byte and moves past it; nil at the end of the file.
    @inline(__always)
    private func nextByte() -> UInt8? {
        if position == chunk.count {
            refill()
            if chunk.isEmpty { return nil }
        }
        let byte = chunk[position]
        position += 1
        return byte
    }

    @inline(__always)
    private func peekByte() -> UInt8? {
        if position == chunk.count {
            refill()
            if chunk.isEmpty { return nil }
        }
        return chunk[position]
    }

    /// Returns the next data record, or nil at the end of the file.
    public func next() throws(CRMError) -> CSVItem? {
        try readItem()
    }

    private struct RawField {
        var bytes: [UInt8] = []
        var quoted = false
        var tooLong = false
    }

    private func readItem() throws(CRMError) -> CSVItem? {
        while true {
            guard peekByte() != nil else { return nil }
            let startLine = line
            var fields: [RawField] = []
            var field = RawField()
            var inQuotes = false
            var quoteLine = 0
            var endOfRecord = false
            var endedAtEndOfFile = false

            while !endOfRecord {
                guard let byte = nextByte() else {
                    // NOTE: an unclosed quote is detected only when the file
                    // ends inside it. A later stray quote closes it instead,
                    // and the row is then rejected for its column count.
                    if inQuotes { return .unterminatedQuote(line: quoteLine, lastLine: line) }
                    endedAtEndOfFile = true
                    break
                }
                if inQuotes {
                    if byte == UInt8(ascii: "\"") {
                        if peekByte() == UInt8(ascii: "\"") {
                            _ = nextByte()
                            append(UInt8(ascii: "\""), to: &field)
                        } else {
                            inQuotes = false
                        }
                    } else if byte == 0x0D {
                        if peekByte() == 0x0A { _ = nextByte() }
                        line += 1
                        append(0x0A, to: &field)
                    } else {
                        if byte == 0x0A { line += 1 }
                        append(byte, to: &field)
                    }
                    continue
                }
                switch byte {
                case delimiter:
                    fields.append(field)
                    field = RawField()
                case 0x0A:
                    line += 1
                    endOfRecord = true
                case 0x0D:
                    if peekByte() == 0x0A { _ = nextByte() }
                    line += 1
                    endOfRecord = true
                case UInt8(ascii: "\"") where field.bytes.allSatisfy(CSVReader.isBlank) && !field.quoted:
                    // An opening quote, possibly after spaces that Excel and
                    // hand-edited files leave before it.
                    field.bytes.removeAll()
                    field.quoted = true
                    inQuotes = true
                    quoteLine = line
                default:
                    // Characters after a closing quote, or a quote inside an
                    // unquoted field, are kept as they are.
                    append(byte, to: &field)
                }
            }
            fields.append(field)

            if fields.count == 1, !fields[0].quoted, fields[0].bytes.allSatisfy(CSVReader.isBlank) {
                continue
            }
            // The line counter has moved past the record's line break,
            // unless the file ended without one.
            return decode(fields, line: startLine, lastLine: endedAtEndOfFile ? line : line - 1)
        }
    }

    @inline(__always)
    private func append(_ byte: UInt8, to field: inout RawField) {
        if field.bytes.count >= CSVReader.maximumFieldBytes {
            field.tooLong = true
            return
        }
        field.bytes.append(byte)
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private func decode(_ raw: [RawField], line: Int, lastLine: Int) -> CSVItem {
        var fields: [String] = []
        fields.reserveCapacity(raw.count)
        for (index, field) in raw.enumerated() {
            if field.tooLong { return .fieldTooLong(line: line, lastLine: lastLine, column: index) }
            guard let text = decodeField(field.bytes) else {
                return .invalidEncoding(line: line, lastLine: lastLine, column: index)
            }
            fields.append(text)
        }
        return .record(CSVRecord(line: line, lastLine: lastLine, fields: fields))
    }

    private func decodeField(_ bytes: [UInt8]) -> String? {
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let encoding { return encoding.decode(bytes[...]) }
        // The first bytes beyond ASCII decide the encoding of the whole file.
        encoding = String(validating: bytes, as: UTF8.self) != nil ? .utf8 : .windows1252
        return encoding!.decode(bytes[...])
    }
}
