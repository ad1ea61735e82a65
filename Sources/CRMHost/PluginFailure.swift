/// A plugin that failed to load, raised an error, reached a limit or
/// returned a value the host cannot take.
public struct PluginFailure: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file does not compile.
        case syntax
        /// The file ran but did not return a valid plugin table.
        case invalidPlugin
        /// A Lua error, including a failed `crm` API call.
        case runtime
        case instructionBudget
        case timeLimit
        case memoryLimit
        /// The returned value cannot be converted to a host value.
        case invalidResult
    }

    public let kind: Kind
    /// The plugin's name, or the file name when the file never loaded.
    public let plugin: String
    public let file: String
    /// Line in the plugin file, when known.
    public let line: Int?
    public let message: String

    public init(kind: Kind, plugin: String, file: String, line: Int?, message: String) {
        self.kind = kind
        self.plugin = plugin
        self.file = file
        self.line = line
        self.message = message
    }

    /// Maximum length of a description in UTF-8 bytes; longer ones are cut.
    public static let maxDescriptionBytes = 1024

    /// `plugin NAME (FILE:LINE): message`, or `plugin NAME (FILE): message`
    /// when the line is unknown, on one line: control characters are
    /// escaped and the text is cut to about 1 KB.
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return PluginFailure.cut("plugin \(escaped(plugin)) (\(escaped(location))): \(escaped(message))")
    }

    /// `FILE:LINE: message`, the form compilers print, for `crm plugin check`.
    public var compilerStyleDescription: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return PluginFailure.cut("\(escaped(location)): \(escaped(message))")
    }

    static func cut(_ text: String) -> String {
        guard text.utf8.count > maxDescriptionBytes else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > maxDescriptionBytes - 3 { break }
            result.append(character)
            bytes += size
        }
        return result + "..."
    }
}

/// Escapes control characters so that a message stays on one line:
/// `\n` as `\\n`, other C0 and C1 controls and DEL as `\\xHH`.
func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar == "\n" {
            result += "\\n"
        } else if isControl(scalar) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}
