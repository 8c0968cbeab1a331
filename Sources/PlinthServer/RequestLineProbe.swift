import Foundation
import NIOCore

/// Reads the raw bytes ahead of the HTTP decoder and tells ``ConnectionGuardHandler`` when a
/// request line's URI exceeded the limit, so that overflow gets 414 rather than 431.
///
/// A line is a request line when it starts with a method token and a space (header lines start
/// with a token and a colon); its URI runs to the next space. Other lines cost one `memchr`.
final class RequestLineProbe: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum LineKind { case undecided, uri, other }

    private let guardHandler: ConnectionGuardHandler
    private let maxURIBytes: Int
    private var kind = LineKind.undecided
    private var uriLength = 0

    init(guardHandler: ConnectionGuardHandler, maxURIBytes: Int) {
        self.guardHandler = guardHandler
        self.maxURIBytes = maxURIBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !guardHandler.sawOverlongRequestLine {
            unwrapInboundIn(data).withUnsafeReadableBytes { scan($0) }
        }
        context.fireChannelRead(data)
    }

    private func scan(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            switch kind {
            case .undecided:
                switch bytes[index] {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): break
                case UInt8(ascii: " "): kind = .uri  // "METHOD SP": the URI follows, up to the next space
                default: kind = .other
                }
                index += 1
            case .uri:
                while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\n") {
                    uriLength += 1
                    index += 1
                }
                if uriLength > maxURIBytes {
                    guardHandler.sawOverlongRequestLine = true
                    return
                }
                if index < bytes.count {
                    kind = bytes[index] == UInt8(ascii: " ") ? .other : .undecided
                    uriLength = 0
                    index += 1
                }
            case .other:
                let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                guard let newline = memchr(rest.baseAddress!, Int32(UInt8(ascii: "\n")), rest.count) else { return }
                index += UnsafeRawPointer(newline) - rest.baseAddress! + 1
                kind = .undecided
            }
        }
    }
}
