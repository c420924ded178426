import Foundation
import Testing

@testable import VICEngineAPI

@Suite("RFC3339")
struct RFC3339Tests {
    @Test(
        "Dates print like Go's RFC3339Nano in UTC",
        arguments: [
            (0.0, "1970-01-01T00:00:00Z"),
            (1_714_979_289.25, "2024-05-06T07:08:09.25Z"),
            (1_709_164_800.000001, "2024-02-29T00:00:00.000001Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (-0.5, "1969-12-31T23:59:59.5Z"),
            (4_102_444_799.123456, "2099-12-31T23:59:59.123456Z"),
        ])
    func formats(_ seconds: Double, _ expected: String) {
        #expect(RFC3339.nano(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
