// SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter — scalars, images, histograms, text, graphs.

import Ember
import Foundation

/// Writes TensorBoard event files, like `torch.utils.tensorboard.SummaryWriter`.
///
/// Every `add…` call appends one event to an in-memory buffer; the buffer reaches the file on `flush()`,
/// `close()`, deinit, and every `flushSeconds` (2 s by default, where PyTorch waits 120 s), so a crash
/// loses at most a few seconds. The files are the ones PyTorch writes (TFRecord framing, masked CRC-32C,
/// `tensorboard.Event` protos, PNG images), named `events.out.tfevents.<secs>.<host>.<pid>.<n>`, and
/// TensorBoard reads them as it reads PyTorch's.
///
/// ```swift
/// let writer = try SummaryWriter(logDir: "runs/exp1")
/// for i in 0..<100 { writer.addScalar("y=4x", 4 * Double(i), step: i) }
/// writer.addImage("sample", image)            // [3, H, W] floats in [0, 1]
/// try writer.close()
/// ```
public final class SummaryWriter {
    /// The directory the main event file is in.
    public let logDir: String
    let flushSeconds: Double
    let filenameSuffix: String
    let fileWriter: EventFileWriter
    /// Writers of the sub-runs `addScalars` creates, keyed by directory.
    private var scalarsWriters: [String: EventFileWriter] = [:]
    private let lock = NSLock()
    private var isClosed = false

    /// Opens a new event file in `logDir` (created if needed).
    ///
    /// Without `logDir`, uses `runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>` as PyTorch does.
    /// `flushSeconds` is the period of the background flush (0 turns it off). With `purgeStep` (PyTorch's
    /// `purge_step`), TensorBoard drops the events of earlier files in `logDir` at or after that step: what a
    /// resumed run logs again replaces what the interrupted run had logged, instead of doubling the curves.
    /// Throws `SummaryWriterError` when the directory or file cannot be created.
    ///
    /// - Parameters:
    ///   - logDir: The directory of the event file (nil: `runs/<date>_<host><comment>`, as PyTorch names it).
    ///   - comment: Appended to the default directory name.
    ///   - flushSeconds: How often pending events are written to disk.
    ///   - filenameSuffix: Appended to the event file's name.
    ///   - purgeStep: On resume, hide events at this step and later left by a run that crashed.
    public init(logDir: String? = nil, comment: String = "", flushSeconds: Double = 2, filenameSuffix: String = "",
                purgeStep: Int? = nil) throws {
        self.logDir = logDir ?? SummaryWriter.defaultLogDir(comment: comment)
        self.flushSeconds = flushSeconds
        self.filenameSuffix = filenameSuffix
        fileWriter = try EventFileWriter(logDir: self.logDir, flushSeconds: flushSeconds, filenameSuffix: filenameSuffix)
        if let step = purgeStep {
            fileWriter.add(Event(wallTime: SummaryWriter.now(), step: Int64(step), content: .sessionStart))
        }
    }

    deinit {
        try? close()
    }

    /// PyTorch's default `runs/%b%d_%H-%M-%S_<hostname><comment>` (English month names).
    static func defaultLogDir(comment: String, date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "MMMdd_HH-mm-ss"
        return "runs/" + f.string(from: date) + "_" + hostName() + comment
    }

    /// The path of the main event file.
    public var eventFilePath: String { fileWriter.path }

    static func now() -> Double { Date().timeIntervalSince1970 }

    func addSummary(_ values: [SummaryValue], step: Int?, wallTime: Double?, to writer: EventFileWriter? = nil) {
        (writer ?? fileWriter).add(Event(wallTime: wallTime ?? SummaryWriter.now(), step: Int64(step ?? 0),
                                         content: .summary(values)))
    }

    // MARK: Scalars

    /// Logs one scalar (`add_scalar`), shown as a point of the curve `tag` at `step`.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - value: The value to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addScalar(_ tag: String, _ value: Double, step: Int? = nil, wallTime: Double? = nil) {
        addSummary([SummaryValue(tag: tag, payload: .simpleValue(Float(value)))], step: step, wallTime: wallTime)
    }

    /// Logs an integer as a scalar (`writer.addScalar("y=4x", 4 * i, step: i)`, as PyTorch takes Python ints).
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - value: The value to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addScalar<V: BinaryInteger>(_ tag: String, _ value: V, step: Int? = nil, wallTime: Double? = nil) {
        addScalar(tag, Double(value), step: step, wallTime: wallTime)
    }

    /// Logs a `Float` (or any other floating-point value) as a scalar.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - value: The value to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addScalar<V: BinaryFloatingPoint>(_ tag: String, _ value: V, step: Int? = nil, wallTime: Double? = nil) {
        addScalar(tag, Double(value), step: step, wallTime: wallTime)
    }

    /// Logs a one-element tensor as a scalar (`add_scalar` with a tensor).
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - value: The value to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addScalar(_ tag: String, _ value: Tensor, step: Int? = nil, wallTime: Double? = nil) {
        emberCheck(value.numel == 1, "add_scalar", "scalar should be 0D, got a tensor of shape \(value.shape)")
        addScalar(tag, value.item(), step: step, wallTime: wallTime)
    }

    /// Logs several scalars in one chart (`add_scalars`): like PyTorch, each key gets its own sub-run
    /// `<logDir>/<mainTag>_<key>` (with `/` in `mainTag` replaced by `_`) holding the scalar under the
    /// tag `mainTag`. Keys are written in sorted order (Swift dictionaries have no order).
    ///
    /// - Parameters:
    ///   - mainTag: The parent name; each value is written to its own run `<mainTag>_<key>`.
    ///   - values: The values to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addScalars(_ mainTag: String, _ values: [String: Double], step: Int? = nil, wallTime: Double? = nil) {
        let time = wallTime ?? SummaryWriter.now()
        for key in values.keys.sorted() {
            let dir = logDir + "/" + mainTag.replacingOccurrences(of: "/", with: "_") + "_" + key
            guard let writer = scalarsWriter(dir) else { continue }
            addSummary([SummaryValue(tag: mainTag, payload: .simpleValue(Float(values[key]!)))], step: step,
                       wallTime: time, to: writer)
        }
    }

    private func scalarsWriter(_ dir: String) -> EventFileWriter? {
        lock.lock()
        defer { lock.unlock() }
        if let w = scalarsWriters[dir] { return w }
        if isClosed { return nil }
        do {
            let w = try EventFileWriter(logDir: dir, flushSeconds: flushSeconds, filenameSuffix: filenameSuffix)
            scalarsWriters[dir] = w
            return w
        } catch {
            // add_* calls do not throw (as in PyTorch); report once per directory and skip the value.
            FileHandle.standardError.write(Data("EmberBoard: \(error)\n".utf8))
            return nil
        }
    }

    // MARK: Images

    /// Logs an image (`add_image`): a tensor of floats in [0, 1] or of uint8 in [0, 255], laid out as
    /// `dataFormat` says (`"CHW"` default, `"HWC"`, `"HW"`); one channel is shown as gray, 4 as RGBA.
    /// Floats are scaled by 255, clipped and truncated to uint8, then PNG-encoded, exactly as PyTorch.
    ///
    /// Shape: `[C, H, W]` (C = 1, 3 or 4), `[H, W, C]` or `[H, W]`.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - image: The image tensor, in `[0, 1]` for floats or `[0, 255]` for uint8.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    ///   - dataFormat: The layout of the tensor's dimensions (`CHW`, `HWC`, `HW`; `NCHW`, `NHWC` for batches).
    public func addImage(_ tag: String, _ image: Tensor, step: Int? = nil, wallTime: Double? = nil, dataFormat: String = "CHW") {
        emberCheck(dataFormat.count <= 3, "add_image", "use addImages for a batch (dataformats '\(dataFormat)')")
        addHWC(tag, hwcImage(image, dataFormat: dataFormat, op: "add_image"), step: step, wallTime: wallTime)
    }

    /// `addImage` with the layout as an enum: `writer.addImage("img", x, dataFormat: .hwc)`.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - image: The image tensor, in `[0, 1]` for floats or `[0, 255]` for uint8.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    ///   - dataFormat: The layout of the tensor's dimensions (`CHW`, `HWC`, `HW`; `NCHW`, `NHWC` for batches).
    public func addImage(_ tag: String, _ image: Tensor, step: Int? = nil, wallTime: Double? = nil, dataFormat: ImageDataFormat) {
        addImage(tag, image, step: step, wallTime: wallTime, dataFormat: dataFormat.rawValue)
    }

    /// `addImages` with the layout as an enum (`.nchw`, `.nhwc`).
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - images: A batch of image tensors, drawn as one grid.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    ///   - dataFormat: The layout of the tensor's dimensions (`CHW`, `HWC`, `HW`; `NCHW`, `NHWC` for batches).
    public func addImages(_ tag: String, _ images: Tensor, step: Int? = nil, wallTime: Double? = nil, dataFormat: ImageDataFormat) {
        addImages(tag, images, step: step, wallTime: wallTime, dataFormat: dataFormat.rawValue)
    }

    /// Logs a batch of images as one grid image (`add_images`): 8 per row, no padding, as PyTorch.
    ///
    /// Shape: `[N, C, H, W]` (`dataFormat` `"NCHW"`, default) or `[N, H, W, C]` (`"NHWC"`).
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - images: A batch of image tensors, drawn as one grid.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    ///   - dataFormat: The layout of the tensor's dimensions (`CHW`, `HWC`, `HW`; `NCHW`, `NHWC` for batches).
    public func addImages(_ tag: String, _ images: Tensor, step: Int? = nil, wallTime: Double? = nil, dataFormat: String = "NCHW") {
        emberCheck(dataFormat.count == 4, "add_images", "expected a 4-d dataformats such as NCHW, got '\(dataFormat)'")
        addHWC(tag, hwcImage(images, dataFormat: dataFormat, op: "add_images"), step: step, wallTime: wallTime)
    }

    private func addHWC(_ tag: String, _ image: HWCImage, step: Int?, wallTime: Double?) {
        let encoded = SummaryImage(height: image.height, width: image.width, colorspace: image.channels, png: encodePNG(image))
        addSummary([SummaryValue(tag: tag, payload: .image(encoded))], step: step, wallTime: wallTime)
    }

    // MARK: Histograms and text

    /// Logs the distribution of `values` (`add_histogram`), with PyTorch's default exponential bins
    /// unless `bins` says otherwise; bucket counts are those of `numpy.histogram`.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - values: The values to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - bins: How bucket edges are chosen (`.tensorflow`, as TensorBoard's default).
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addHistogram(_ tag: String, _ values: Tensor, step: Int? = nil, bins: HistogramBins = .tensorflow,
                             wallTime: Double? = nil) {
        let data = noGrad { values.detach().contiguous().toArray(as: Double.self) }
        addHistogram(tag, data, step: step, bins: bins, wallTime: wallTime)
    }

    /// Logs the distribution of an array of numbers (`add_histogram` with a numpy array).
    ///
    /// NaN and infinite values are left out of the histogram (a diverging run's weights must not stop the
    /// logging); when no finite value is left, or none falls inside the bins, nothing is logged (PyTorch
    /// raises in both cases).
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - values: The values to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - bins: How bucket edges are chosen (`.tensorflow`, as TensorBoard's default).
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addHistogram(_ tag: String, _ values: [Double], step: Int? = nil, bins: HistogramBins = .tensorflow,
                             wallTime: Double? = nil) {
        var values = values
        if values.contains(where: { !$0.isFinite }) {
            values.removeAll { !$0.isFinite }
            if values.isEmpty { return }
        }
        guard let histo = histogramIfAnyInRange(values, bins: bins) else { return }
        addSummary([SummaryValue(tag: tag, payload: .histogram(histo))], step: step, wallTime: wallTime)
    }

    /// Logs a text (`add_text`), rendered as Markdown under the tag `<tag>/text_summary`, as PyTorch.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - text: The text, rendered as Markdown.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addText(_ tag: String, _ text: String, step: Int? = nil, wallTime: Double? = nil) {
        let value = SummaryValue(tag: tag + "/text_summary", payload: .tensor(TensorProto(strings: [text], shape: [1])),
                                 plugin: ("text", []))
        addSummary([value], step: step, wallTime: wallTime)
    }

    // MARK: Graphs

    /// Logs a graph made of `nodes` for the Graphs tab (`GraphDef` plus PyTorch's `step1` run metadata).
    public func addGraph(nodes: [GraphNode], wallTime: Double? = nil) {
        let time = wallTime ?? SummaryWriter.now()
        fileWriter.add(Event(wallTime: time, content: .graphDef(graphDefBytes(nodes))))
        fileWriter.add(Event(wallTime: time, content: .taggedRunMetadata(tag: "step1", runMetadata: cpuRunMetadataBytes())))
    }

    /// Logs the graph of `model` run on `input` (`add_graph(model, input)`): modules as nested boxes,
    /// the ops they ran, and the shapes between them. See `graphNodes(model:input:)`.
    ///
    /// - Parameters:
    ///   - model: The model to trace.
    ///   - input: An example input the model is run on to trace its graph.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addGraph(model: any GraphExportable, input: Tensor, wallTime: Double? = nil) {
        addGraph(nodes: graphNodes(model: model, input: input), wallTime: wallTime)
    }

    /// Logs the autograd graph that computed `output` (every `gradFn` reachable from it).
    ///
    /// - Parameters:
    ///   - output: The output whose autograd graph is drawn.
    ///   - parameters: Named parameters, so that their nodes get readable names.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addGraph(output: Tensor, parameters: [(String, Tensor)] = [], wallTime: Double? = nil) {
        addGraph(nodes: graphNodes(output: output, parameters: parameters), wallTime: wallTime)
    }

    // MARK: Flushing

    /// Writes everything logged so far to disk (all sub-runs included). Throws the first write error,
    /// including one hit by the background flush since the last call.
    public func flush() throws {
        try fileWriter.flush()
        lock.lock()
        let writers = Array(scalarsWriters.values)
        lock.unlock()
        for w in writers { try w.flush() }
    }

    /// Flushes and closes all files; later `add…` calls are ignored. Calling it twice is harmless.
    public func close() throws {
        var failure: Error?
        do { try fileWriter.close() } catch { failure = error }
        lock.lock()
        isClosed = true
        let writers = Array(scalarsWriters.values)
        lock.unlock()
        for w in writers {
            do { try w.close() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
