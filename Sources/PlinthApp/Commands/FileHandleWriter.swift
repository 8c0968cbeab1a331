import PlinthCore

/// Writes text straight to a file descriptor (used for startup errors, before logging exists).
public enum FileHandleWriter {
    /// Writes all of `text` to `fileDescriptor`, stopping at the first failed write.
    public static func write(_ text: String, to fileDescriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
