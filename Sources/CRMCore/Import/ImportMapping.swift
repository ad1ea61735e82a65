/// A mapping file given with `--mapping`: which source column fills which
/// field, and how source codes translate into the CRM's values.
///
/// ```json
/// {
///   "columns": {"Raison sociale": "name", "N° SIRET": "siret", "Commercial": "owner"},
///   "values": {
///     "paymentTerm": {"30 fdm": "30EOM"},
///     "paymentMethod": {"VIR": "TRANSFER"},
///     "status": {"Client": "customer", "Piste": "prospect"},
///     "owner": {"Hugo Berthier": "alice"}
///   }
/// }
/// ```
public struct ImportMapping: Sendable {
    public var columns: [String: ImportField] = [:]
    /// Per field, source value (folded with `searchKey`) to CRM value.
    public var values: [ImportField: [String: String]] = [:]

    public init() {}

    /// Fields whose values a mapping may translate.
    static let mappableValues: Set<ImportField> = [.paymentTerm, .paymentMethod, .status, .owner, .active,
                                                   .category, .country, .stage]

    /// Reads and checks a mapping file; errors name the file and the key.
    public static func load(path: String) throws(CRMError) -> ImportMapping {
        let text = try FileSystem.readText(path, maximumBytes: 1 << 20)
        let document: Value
        do {
            document = try JSON.decode(text)
        } catch {
            throw CRMError.invalid("\(path): invalid JSON (\(error)); a mapping file is a JSON object with "
                                   + "\"columns\" and optional \"values\"")
        }
        guard case let .object(top) = document else {
            throw CRMError.invalid("\(path): expected a JSON object with \"columns\" and optional \"values\"")
        }
        var mapping = ImportMapping()
        for (key, value) in top {
            switch key {
            case "columns":
                guard case let .object(pairs) = value else {
                    throw CRMError.invalid("\(path): \"columns\" must be an object of source column to field")
                }
                for (column, target) in pairs {
                    guard let name = target.stringValue, let field = ImportField(rawValue: name) else {
                        throw CRMError.invalid("\(path): column \"\(column)\" maps to an unknown field; "
                                               + "expected one of \(ImportField.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    mapping.columns[column] = field
                }
            case "values":
                guard case let .object(groups) = value else {
                    throw CRMError.invalid("\(path): \"values\" must be an object of field to value map")
                }
                for (fieldName, table) in groups {
                    guard let field = ImportField(rawValue: fieldName), mappableValues.contains(field) else {
                        let allowed = mappableValues.map(\.rawValue).sorted().joined(separator: ", ")
                        throw CRMError.invalid("\(path): \"values\" has an unknown field \"\(fieldName)\"; "
                                               + "expected one of \(allowed)")
                    }
                    guard case let .object(pairs) = table else {
                        throw CRMError.invalid("\(path): \"values\".\"\(fieldName)\" must map source values to text")
                    }
                    var translated: [String: String] = [:]
                    for (from, to) in pairs {
                        guard let target = to.stringValue else {
                            throw CRMError.invalid("\(path): \"values\".\"\(fieldName)\" maps a value to a "
                                                   + "\(to.typeName); expected text")
                        }
                        translated[searchKey(from)] = target
                    }
                    mapping.values[field] = translated
                }
            default:
                throw CRMError.invalid("\(path): unknown key \"\(key)\"; a mapping file has \"columns\" and \"values\"")
            }
        }
        return mapping
    }

    /// The translation of a source value, when the mapping has one.
    func translate(_ field: ImportField, _ value: String) -> String? {
        values[field]?[searchKey(value)]
    }
}
