// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) for the download tests: never the internet.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serves fixed routes, one request per connection, on its own thread, for at most `lifetime` seconds.
final class LoopbackHTTPServer: @unchecked Sendable {
    enum Route {
        /// 200 with the whole body.
        case file(Data)
        /// Announces the whole body's length but closes the connection after `sent` bytes.
        case truncated(Data, sent: Int)
        /// An error status with a short text body.
        case status(Int)
        /// 302 to `location` (absolute, or a path on this server).
        case redirect(String)
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Route]
    private let lock = NSLock()
    private var log: [String] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    /// `http://127.0.0.1:<port>/`
    var base: String { "http://127.0.0.1:\(port)/" }

    /// The paths requested so far, in order.
    var requests: [String] { lock.withLock { log } }

    init(routes: [String: Route], lifetime: TimeInterval = 30) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let deadline = Date().addingTimeInterval(lifetime)
        Thread { [self] in
            serve(until: deadline)
            finished.signal()
        }.start()
    }

    /// Stops accepting, closes the socket and waits for the thread to end.
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }

    /// A port on which nothing listens (bound, then closed): connecting to it is refused.
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    private func serve(until deadline: Date) {
        defer { close(listener) }
        while !lock.withLock({ stopping }), Date() < deadline {
            var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(client)
            close(client)
        }
    }

    private func respond(_ client: Int32) {
        var request = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), request.count < 65536 {
            let n = recv(client, &chunk, chunk.count, 0)
            guard n > 0 else { return }
            request += chunk[0..<n]
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        guard line.count >= 2, line[0] == "GET" else { return send(client, head(400, "Bad Request", length: 0)) }
        let path = String(line[1])
        lock.withLock { log.append(path) }
        switch routes[path] ?? .status(404) {
        case .file(let body):
            send(client, head(200, "OK", length: body.count) + [UInt8](body))
        case .truncated(let body, let sent):
            send(client, head(200, "OK", length: body.count) + [UInt8](body.prefix(sent)))
        case .status(let code):
            let body = Array("status \(code)\n".utf8)
            send(client, head(code, code == 404 ? "Not Found" : "Error", length: body.count) + body)
        case .redirect(let location):
            send(client, head(302, "Found", length: 0, extra: "Location: \(location)\r\n"))
        }
    }

    private func head(_ code: Int, _ reason: String, length: Int, extra: String = "") -> [UInt8] {
        Array("HTTP/1.1 \(code) \(reason)\r\nContent-Length: \(length)\r\nContent-Type: application/octet-stream\r\n\(extra)Connection: close\r\n\r\n".utf8)
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }
}
