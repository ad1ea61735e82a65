#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers over the C library, so the core needs no Foundation.
public enum FileSystem {
    /// Reads a whole file as bytes, refusing anything larger than `maximumBytes`.
    public static func readBytes(_ path: String, maximumBytes: Int = 16 << 20) throws(CRMError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if bytes.count > maximumBytes {
                throw CRMError(.invalid, "\(path) is larger than \(maximumBytes / 1024) KiB")
            }
            if count < buffer.count {
                if ferror(file) != 0 { throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
                break
            }
        }
        return bytes
    }

    /// Reads a UTF-8 text file; invalid UTF-8 is an error naming the file.
    public static func readText(_ path: String, maximumBytes: Int = 16 << 20) throws(CRMError) -> String {
        let bytes = try readBytes(path, maximumBytes: maximumBytes)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CRMError(.invalid, "\(path) is not valid UTF-8 text")
        }
        return text
    }

    /// Writes all of `text` to an open file descriptor, retrying short writes.
    /// Returns false when the descriptor refuses more bytes.
    @discardableResult
    public static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Writes one line to stderr in as few write calls as the kernel allows.
    public static func writeStandardError(_ text: String) {
        writeAll(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
    }

    /// Writes text to a file, replacing it, with the given mode for a new file.
    public static func writeText(_ text: String, to path: String, mode: mode_t = 0o644) throws(CRMError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CRMError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard writeAll(text, to: descriptor) else {
            throw CRMError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Names of the entries of a folder, sorted, without `.` and `..`.
    public static func list(_ path: String) throws(CRMError) -> [String] {
        guard let directory = opendir(path) else {
            throw CRMError(.io, "cannot list \(path): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
