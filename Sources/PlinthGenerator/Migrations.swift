import Foundation

/// What the generators share about an app's migrations.
enum Migrations {
    /// The line in `AppMigrations.all` new migrations are listed before.
    static let migrationsMarker = "        // plinth: migrations"
    /// The line in `AppMigrations.tables` new tables are listed before.
    static let tablesMarker = "        // plinth: tables"

    static let stampFormat: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter
    }()

    /// `<UTC yyyyMMddHHmmss>_name`, after every id in `directory`: two migrations made within a second
    /// still sort in the order they were made.
    static func nextID(_ name: String, in directory: URL, now: Date) -> String {
        let latest = latestStamp(in: directory).flatMap { stampFormat.date(from: $0) }
        return stampFormat.string(from: latest.map { max(now, $0.addingTimeInterval(1)) } ?? now) + "_" + name
    }

    /// The id one second after `id`.
    static func following(_ id: String, name: String) -> String {
        let date = stampFormat.date(from: String(id.prefix(14))) ?? Date()
        return stampFormat.string(from: date.addingTimeInterval(1)) + "_" + name
    }

    /// The newest `yyyyMMddHHmmss` id prefix among the migration files in `directory`.
    static func latestStamp(in directory: URL) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var stamps: [String] = []
        for name in names where name.hasSuffix(".swift") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { continue }
            for part in text.components(separatedBy: "id: \"").dropFirst() {
                let stamp = part.prefix(14)
                if stamp.count == 14, stamp.allSatisfy(\.isNumber), part.dropFirst(14).first == "_" { stamps.append(String(stamp)) }
            }
        }
        return stamps.max()
    }

    /// `text` with `entry` added last to the array literal that ends at `marker`, one element per
    /// line, commas as swift-format wants them (none after a lone element); `nil` when it is listed
    /// or there is no marker.
    static func listing(_ entry: String, marker: String, in text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let end = lines.firstIndex(of: marker), let opening = lines[..<end].lastIndex(where: { $0.hasSuffix("[") }) else { return nil }
        var entries = lines[(opening + 1)..<end].map { $0.trimmingCharacters(in: .whitespaces) }.map {
            $0.hasSuffix(",") ? String($0.dropLast()) : $0
        }
        .filter { !$0.isEmpty }
        guard !entries.contains(entry) else { return nil }
        entries.append(entry)
        lines.replaceSubrange((opening + 1)..<end, with: entries.map { "        " + $0 + (entries.count == 1 ? "" : ",") })
        return lines.joined(separator: "\n")
    }
}
