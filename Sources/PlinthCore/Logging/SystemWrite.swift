#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `write(2)`, from Glibc on Linux and Darwin on macOS: the name alone would be ambiguous inside
/// types that have a `write` method of their own.
public func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fileDescriptor, bytes, count)
    #else
        Darwin.write(fileDescriptor, bytes, count)
    #endif
}
