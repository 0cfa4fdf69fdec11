// One HTTP(S) GET streamed chunk by chunk, through Foundation's URLSession (FoundationNetworking on Linux).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why an address did not deliver its file, in words that go into `DataError.downloadFailed`.
struct TransferFailure: Error { let reason: String }

/// A blocking GET that follows redirects (at most 10) and hands the body to `onData` as it arrives.
///
/// On Linux this is URLSession from FoundationNetworking (libcurl underneath), so both `http` and `https` work.
enum HTTPTransfer {
    /// Fetches `url`; `onResponse` receives the announced length (nil when unknown) once the server answered 200,
    /// `onData` each chunk. Throws `TransferFailure` for anything the server or network did (status, refused
    /// connection, timeout, body shorter than announced) and rethrows whatever `onData` throws.
    static func get(_ url: URL, timeout: TimeInterval, onResponse: @escaping (Int64?) -> Void,
                    onData: @escaping (Data) throws -> Void) throws {
        let delegate = TransferDelegate(onResponse: onResponse, onData: onData)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        session.dataTask(with: url).resume()
        delegate.done.wait()
        session.finishTasksAndInvalidate()
        if let error = delegate.localError { throw error }
        if let reason = delegate.failure { throw TransferFailure(reason: reason) }
    }
}

/// URLSession's callbacks for one transfer; they run one at a time on the session's queue, and the caller reads
/// the results only after `done` is signalled.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let onResponse: (Int64?) -> Void
    let onData: (Data) throws -> Void
    let done = DispatchSemaphore(value: 0)
    var failure: String?
    var localError: Error?
    var expected: Int64?
    var received: Int64 = 0
    var redirects = 0

    init(onResponse: @escaping (Int64?) -> Void, onData: @escaping (Data) throws -> Void) {
        self.onResponse = onResponse
        self.onData = onData
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        redirects += 1
        guard redirects <= 10 else {
            failure = "more than 10 redirects"
            task.cancel()
            completionHandler(nil)
            return
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = "the answer is not HTTP"
            completionHandler(.cancel)
            return
        }
        guard http.statusCode == 200 else {
            let via = response.url.map { $0 == dataTask.originalRequest?.url ? "" : " (redirected to \($0.absoluteString))" } ?? ""
            failure = "HTTP \(http.statusCode) \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))\(via)"
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        onResponse(expected)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, localError == nil else { return }
        received += Int64(data.count)
        do { try onData(data) } catch {
            localError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, localError == nil {
            let of = expected.map { " of \($0)" } ?? ""
            if let error {
                let text = (error as NSError).localizedDescription
                failure = received > 0 ? "the transfer stopped after \(received)\(of) bytes (\(text))" : text
            } else if let expected, received < expected {
                failure = "the connection closed after \(received)\(of) bytes"
            }
        }
        done.signal()
    }
}
