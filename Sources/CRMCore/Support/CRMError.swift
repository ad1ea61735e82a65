/// The one error type of the core. Every failure a user can meet becomes a
/// `CRMError`, and the command line maps its kind to an exit status.
///
/// `message` never carries customer data read from the database or a file;
/// such values go in `detail`, which is shown only with `--debug`.
public struct CRMError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The command line was wrong: exit status 2.
        case usage
        /// A value given by the user or read from a file is invalid.
        case invalid
        case notFound
        case permission
        /// The change conflicts with the current state (already decided, duplicate).
        case conflict
        /// A plugin failed to load, raised an error or returned an invalid result.
        case plugin
        case database
        /// No database exists at the chosen path.
        case missingDatabase
        case io
    }

    public let kind: Kind
    public let message: String
    /// Customer data behind the failure, printed only with `--debug`.
    public let detail: String?

    public init(_ kind: Kind, _ message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    /// Exit status of the command: 2 for usage errors, 1 for everything else.
    public var exitStatus: Int32 { kind == .usage ? 2 : 1 }

    public static func invalid(_ message: String, detail: String? = nil) -> CRMError {
        CRMError(.invalid, message, detail: detail)
    }

    public static func notFound(_ message: String) -> CRMError { CRMError(.notFound, message) }

    public static func permission(_ message: String) -> CRMError { CRMError(.permission, message) }

    public static func conflict(_ message: String, detail: String? = nil) -> CRMError {
        CRMError(.conflict, message, detail: detail)
    }

    public static func usage(_ message: String) -> CRMError { CRMError(.usage, message) }
}
