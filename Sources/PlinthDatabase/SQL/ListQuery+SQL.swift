import PlinthCore

extension ListQuery {
    /// The `WHERE ... ORDER BY ... LIMIT` that selects this page from a table with `id` and
    /// `created_at` columns, after `scope` (such as `post_id = ...`) when given: keyset paging on a
    /// `(created_at, id)` index.
    public func sql(scope: SQL? = nil) -> SQL {
        let direction = descending ? "DESC" : "ASC"
        let after = descending ? "<" : ">"
        let before = descending ? ">" : "<"
        var conditions: [SQL] = scope.map { [$0] } ?? []
        switch field {
        case .createdAt:
            if let start, let createdAt = start.createdAt {
                let comparison = after + (startExclusive ? "" : "=")
                if let id = start.id {
                    conditions.append("(created_at, id) \(unescaped: comparison) (\(createdAt), \(id))")
                } else {
                    conditions.append("created_at \(unescaped: comparison) \(createdAt)")
                }
            }
            if let end = end?.createdAt { conditions.append("created_at \(unescaped: before)= \(end)") }
        case .id:
            if let id = start?.id { conditions.append("id \(unescaped: after + (startExclusive ? "" : "=")) \(id)") }
            if let end = end?.id { conditions.append("id \(unescaped: before)= \(end)") }
        }
        var sql: SQL = ""
        for (index, condition) in conditions.enumerated() {
            sql.append(index == 0 ? "WHERE " : " AND ")
            sql.append(condition)
        }
        let order = field == .createdAt ? "created_at \(direction), id \(direction)" : "id \(direction)"
        sql.append(" ORDER BY \(unescaped: order) LIMIT \(limit)")
        return sql
    }
}
