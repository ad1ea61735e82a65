import CRMCore
import Foundation
import XCTest

/// Inputs that crashed a fuzz target once, kept so the crash stays fixed.
final class FuzzRegressionTests: XCTestCase {
    private func withFile(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString).csv").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    /// The reader closed its file before throwing from `init`, and `deinit`
    /// closed it again: a double free found by fuzz-csv on an empty file.
    func testCSVReaderRejectsEmptyFileOnce() throws {
        try withFile([]) { path in
            for _ in 0..<50 {
                XCTAssertThrowsError(try CSVReader(path: path)) { error in
                    XCTAssertEqual((error as? CRMError)?.message, "\(path) is empty: expected a header line and rows")
                }
            }
        }
    }

    func testCSVReaderRejectsUnreadableHeaderOnce() throws {
        try withFile(Array("\"name,city\n".utf8)) { path in
            for _ in 0..<50 {
                XCTAssertThrowsError(try CSVReader(path: path)) { error in
                    XCTAssertEqual((error as? CRMError)?.kind, .invalid)
                    XCTAssertTrue((error as? CRMError)?.message.hasPrefix("\(path): the header line cannot be read") == true)
                }
            }
        }
    }
}
