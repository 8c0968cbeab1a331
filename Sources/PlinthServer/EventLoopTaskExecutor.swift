import NIOCore

/// Runs a request's task on the event loop that owns its connection.
///
/// Without it a request crosses threads four times: from the event loop to Swift's pool to start,
/// back to the loop to write, to the pool when the write completes, and the loop wakes the pool
/// for the next request. On the connection's own loop each of those is a function call queued on
/// the same thread. Work a request does between suspensions (a SQLite read from the page cache,
/// serializing a page) then runs on the loop, as it would in a thread-per-core server: nothing in
/// a request blocks on I/O other than SQLite's reads, which are bounded by the database's call limit.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
