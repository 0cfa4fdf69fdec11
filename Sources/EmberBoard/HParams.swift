// HParams: add_hparams — the hparams plugin's experiment, session start and session end summaries.

import Foundation

/// A hyperparameter value for `addHparams`: a number or a string.
///
/// Literals work directly (`["lr": 0.1, "bs": 32, "opt": "sgd"]`). A Bool literal becomes the number
/// 1 or 0, as in PyTorch (where `True` is an `int` and is logged as a FLOAT64 hyperparameter).
public enum HParamValue: Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    /// A number (logged as DATA_TYPE_FLOAT64).
    case number(Double)
    /// A string (logged as DATA_TYPE_STRING).
    case string(String)

    /// `0.1` → `.number(0.1)`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `32` → `.number(32)`.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// `"sgd"` → `.string("sgd")`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `true` → `.number(1)`, as PyTorch logs Python bools.
    public init(booleanLiteral value: Bool) { self = .number(value ? 1 : 0) }
}

/// The three hparams summaries PyTorch's `summary.hparams` builds: experiment (hyperparameter names and
/// types, metric tags), session start (the values) and session end (STATUS_SUCCESS). Keys are sorted.
///
/// `HParamsPluginData{version=1 (0, omitted), experiment=2, session_start_info=3, session_end_info=4}`;
/// `Experiment{hparam_infos=4 {name=1, type=4}, metric_infos=5 {name=1 {tag=2}}}`;
/// `SessionStartInfo{hparams=1 map<string, google.protobuf.Value{number_value=2, string_value=3}>}`;
/// `SessionEndInfo{status=1}`.
func hparamsSummaries(_ hparams: [String: HParamValue], metrics: [String]) -> [SummaryValue] {
    let keys = hparams.keys.sorted()
    var experiment = ProtobufWriter()
    experiment.message(2) { exp in
        for k in keys {
            exp.message(4) { info in
                info.string(1, k)
                if case .string = hparams[k]! { info.int(4, 1) } else { info.int(4, 3) }   // DATA_TYPE_STRING / FLOAT64
            }
        }
        for m in metrics.sorted() { exp.message(5) { $0.message(1) { $0.string(2, m) } } }
    }
    var start = ProtobufWriter()
    start.message(3) { ssi in
        for k in keys {
            ssi.message(1) { entry in
                entry.string(1, k)
                entry.message(2) { value in
                    switch hparams[k]! {
                    case let .number(x): value.double(2, x)   // oneof: written even when 0
                    case let .string(s): value.string(3, s)
                    }
                }
            }
        }
    }
    var end = ProtobufWriter()
    end.message(4) { $0.int(1, 1) }   // STATUS_SUCCESS
    return [("_hparams_/experiment", experiment), ("_hparams_/session_start_info", start),
            ("_hparams_/session_end_info", end)].map { tag, content in
        SummaryValue(tag: tag, payload: .none, plugin: ("hparams", content.bytes))
    }
}

extension SummaryWriter {
    /// Logs one training run's hyperparameters and final metrics for TensorBoard's HPARAMS tab
    /// (`add_hparams`).
    ///
    /// As in PyTorch, everything goes into a new sub-run `<logDir>/<runName>` (default: the current Unix
    /// time, e.g. `1795391284.306`): the experiment, session-start and session-end summaries at `step`,
    /// then each metric as a scalar with its own tag. Throws when the sub-run cannot be created.
    ///
    /// ```swift
    /// try writer.addHparams(["lr": 0.1, "bsize": 32], metrics: ["hparam/accuracy": 0.91])
    /// ```
    ///
    /// - Parameters:
    ///   - hparams: The run's hyper-parameters by name.
    ///   - metrics: The run's final metrics by name; each is also written as a scalar.
    ///   - runName: The subdirectory the hyper-parameter run is written to (nil: a timestamp, as PyTorch does).
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    public func addHparams(_ hparams: [String: HParamValue], metrics: [String: Double], runName: String? = nil,
                           step: Int? = nil) throws {
        let name = runName ?? "\(Date().timeIntervalSince1970)"
        let writer = try EventFileWriter(logDir: logDir + "/" + name, flushSeconds: 0, filenameSuffix: filenameSuffix)
        for value in hparamsSummaries(hparams, metrics: Array(metrics.keys)) {
            addSummary([value], step: step, wallTime: nil, to: writer)
        }
        for key in metrics.keys.sorted() {
            addSummary([SummaryValue(tag: key, payload: .simpleValue(Float(metrics[key]!)))], step: step, wallTime: nil,
                       to: writer)
        }
        try writer.close()
    }
}
