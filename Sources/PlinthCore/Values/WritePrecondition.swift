/// A check a store runs on the current row, inside the write's transaction and with the row locked,
/// so that nothing can change it between the check and the write; it throws to refuse the write.
public typealias WritePrecondition<Model> = @Sendable (Model) throws -> Void
