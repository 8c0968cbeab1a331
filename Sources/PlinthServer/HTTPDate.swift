import Foundation
import NIOConcurrencyHelpers
import Plinth
import PlinthCore

/// The `Date` header's value (RFC 9110 IMF-fixdate), formatted at most once a second.
enum HTTPDate {
    private static let cache = NIOLockedValueBox((second: 0, value: ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Now, as in `Sun, 06 Nov 1994 08:49:37 GMT`.
    static var now: String {
        var seconds = time(nil)
        if let cached = cache.withLockedValue({ $0.second == seconds ? $0.value : nil }) { return cached }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let value =
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        cache.withLockedValue { $0 = (seconds, value) }
        return value
    }
}
