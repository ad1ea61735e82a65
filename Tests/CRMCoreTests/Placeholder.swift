import XCTest
final class CRMCoreTestsPlaceholder: XCTestCase { func testBuilds() {} }
