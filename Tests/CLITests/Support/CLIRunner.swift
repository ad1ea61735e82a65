import Foundation
import XCTest

/// What one run of the `crm` binary printed and returned.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A temporary folder with its own database, in which tests run the built
/// `crm` binary as a user would, with a fixed business date.
final class CLISandbox {
    let folder: URL
    let databasePath: String
    var environment: [String: String]

    /// The `crm` binary built beside this test bundle.
    static let binary: String = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("crm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/debug/crm").standardized.path
        return fallback
    }()

    /// The project's root folder, for fixtures and examples.
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(initialise: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appendingPathComponent("crm.sqlite").path
        environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": folder.path,
            "CRM_DB": databasePath,
            "CRM_TODAY": "2026-03-02",
            "NO_COLOR": "1",
        ]
        if initialise {
            let result = run(["init", "--admin", "admin"])
            XCTAssertEqual(result.status, 0, result.stderr)
            environment["CRM_USER"] = "admin"
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Runs `crm` with arguments; `as` sets CRM_USER for this run only.
    @discardableResult
    func run(_ arguments: [String], as user: String? = nil, extra: [String: String] = [:]) -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLISandbox.binary)
        process.arguments = arguments
        var environment = self.environment
        if let user { environment["CRM_USER"] = user }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = folder
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return RunResult(status: -1, stdout: "", stderr: "\(error)") }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts several runs at once, each as its user, and waits for all.
    func runConcurrently(_ runs: [(arguments: [String], user: String)]) -> [RunResult] {
        var started: [(Process, Pipe, Pipe)] = []
        for run in runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLISandbox.binary)
            process.arguments = run.arguments
            var environment = self.environment
            environment["CRM_USER"] = run.user
            process.environment = environment
            process.currentDirectoryURL = folder
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try? process.run()
            started.append((process, output, errors))
        }
        return started.map { process, output, errors in
            let outData = output.fileHandleForReading.readDataToEndOfFile()
            let errData = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    func ok(_ arguments: [String], as user: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> String {
        let result = run(arguments, as: user)
        XCTAssertEqual(result.status, 0, "crm \(arguments.joined(separator: " ")) failed: \(result.stderr)", file: file, line: line)
        return result.stdout
    }

    /// Runs a command and parses its standard output as JSON.
    func json(_ arguments: [String], as user: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> Any? {
        let text = ok(arguments + ["--json"], as: user, file: file, line: line)
        return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Runs an SQL query with the sqlite3 shell and returns its output.
    func sql(_ query: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [databasePath, query]
        let output = Pipe()
        process.standardOutput = output
        try? process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
