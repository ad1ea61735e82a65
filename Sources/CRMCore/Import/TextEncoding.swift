/// The character encodings an imported file may use. Every one of them
/// keeps ASCII as is, so the CSV reader can split records on bytes and
/// decode each field afterwards.
public enum TextEncoding: String, CaseIterable, Sendable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case iso88591 = "iso-8859-1"

    /// Decodes the bytes of one field; nil when they are not valid in
    /// this encoding (only UTF-8 can be invalid).
    func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        switch self {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .windows1252:
            return TextEncoding.decodeSingleByte(bytes, high: TextEncoding.windows1252High)
        case .iso88591:
            return TextEncoding.decodeSingleByte(bytes, high: nil)
        }
    }

    private static func decodeSingleByte(_ bytes: ArraySlice<UInt8>, high: [UInt32]?) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            var value = UInt32(byte)
            if let high, (0x80...0x9F).contains(byte) { value = high[Int(byte) - 0x80] }
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    /// Windows-1252 bytes 0x80 to 0x9F, from the code page's published
    /// table. The five bytes the code page leaves undefined (0x81, 0x8D,
    /// 0x8F, 0x90, 0x9D) map to the C1 control of the same value, as the
    /// WHATWG Encoding Standard does. Bytes 0xA0 to 0xFF equal ISO-8859-1.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Tells whether `bytes` are valid UTF-8, accepting a sequence cut off
    /// at the end (the rest may sit in the next chunk of the file).
    static func isValidUTF8Prefix(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return false
            }
            let available = min(length, bytes.endIndex - index)
            if String(validating: bytes[index..<(index + available)], as: UTF8.self) == nil {
                guard available < length else { return false }
                for offset in 1..<available where bytes[index + offset] & 0xC0 != 0x80 { return false }
            }
            index += length
        }
        return true
    }
}
