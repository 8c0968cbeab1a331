/// A UTC instant to the second, as the API shows it: `2015-03-01T12:00:52Z`.
///
/// Formatting and parsing are done by hand (days-from-civil arithmetic) rather than through
/// `Date` and a formatter: every post carries two of these, and `GET /posts` writes 200 per request.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    /// Creates a timestamp from seconds since the Unix epoch.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The current time, truncated to the second.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(secondsSince1970: Int64(spec.tv_sec))
    }

    /// Orders by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String { iso8601 }

    /// `YYYY-MM-DDTHH:MM:SSZ` (years 0000–9999).
    public var iso8601: String {
        String(unsafeUninitializedCapacity: 20) { buffer in
            writeISO8601(into: UnsafeMutableRawBufferPointer(buffer))
            return 20
        }
    }

    /// Writes the 20 bytes of `YYYY-MM-DDTHH:MM:SSZ` to the start of `buffer` (a year outside
    /// 0000–9999 is written as the nearest of the two).
    public func writeISO8601(into buffer: UnsafeMutableRawBufferPointer) {
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86_400 : (secondsSince1970 - 86_399) / 86_400
        let secondOfDay = Int(secondsSince1970 - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        // Two digits per table lookup: half the divisions of a digit at a time.
        let pairs: StaticString =
            "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
        func put(_ value: Int, at offset: Int) {
            buffer[offset] = pairs.utf8Start[2 * value]
            buffer[offset + 1] = pairs.utf8Start[2 * value + 1]
        }
        let clampedYear = Int(min(max(year, 0), 9999))
        put(clampedYear / 100, at: 0)
        put(clampedYear % 100, at: 2)
        buffer[4] = UInt8(ascii: "-")
        put(month, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 17)
        buffer[19] = UInt8(ascii: "Z")
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` exactly (also `+00:00` for `Z`); `nil` for anything else.
    public init?(iso8601 text: some StringProtocol) {
        let parsed: Timestamp?? = text.utf8.withContiguousStorageIfAvailable { Timestamp(iso8601UTF8: UnsafeRawBufferPointer($0)) }
        guard let timestamp = parsed ?? Array(text.utf8).withUnsafeBytes({ Timestamp(iso8601UTF8: $0) }) else { return nil }
        self = timestamp
    }

    /// Parses the same from UTF-8 bytes (a database column read in place).
    public init?(iso8601UTF8 utf8: UnsafeRawBufferPointer) {
        guard utf8.count == 20 || (utf8.count == 25 && utf8[19...].elementsEqual("+00:00".utf8)),
            utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"), utf8.count == 25 || utf8[19] == UInt8(ascii: "Z")
        else { return nil }
        func pair(_ offset: Int) -> Int? {
            let (tens, ones) = (utf8[offset] &- UInt8(ascii: "0"), utf8[offset + 1] &- UInt8(ascii: "0"))
            guard tens < 10, ones < 10 else { return nil }
            return Int(tens) * 10 + Int(ones)
        }
        guard let century = pair(0), let yearOfCentury = pair(2), let month = pair(5), let day = pair(8),
            let hour = pair(11), let minute = pair(14), let second = pair(17),
            case let year = century * 100 + yearOfCentury,
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.days(fromCivil: Int64(year), month: month, day: day)
        self.secondsSince1970 = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func days(fromCivil year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
