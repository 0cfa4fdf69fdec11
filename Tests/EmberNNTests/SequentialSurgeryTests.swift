// Module surgery as in the notes: add_module on a Sequential, replacing a layer by index, iterating children.
import Testing
@testable import EmberNN
import Ember

@Suite("Sequential surgery")
struct SequentialSurgeryTests {
    func classifier() -> Sequential {
        Sequential { Linear(8, 6); ReLU(inplace: true); Dropout(0.5); Linear(6, 4) }
    }

    @Test("addModule appends a named child that prints, runs and saves under its name")
    func addModule() {
        let net = classifier()
        net.addModule("add_linear", Linear(4, 10))
        #expect(net.description == """
            Sequential(
              (0): Linear(in_features=8, out_features=6, bias=True)
              (1): ReLU(inplace=True)
              (2): Dropout(p=0.5, inplace=False)
              (3): Linear(in_features=6, out_features=4, bias=True)
              (add_linear): Linear(in_features=4, out_features=10, bias=True)
            )
            """)
        #expect(net.count == 5)
        #expect(net.stateDict().names == ["0.weight", "0.bias", "3.weight", "3.bias", "add_linear.weight", "add_linear.bias"])
        #expect(net.eval()(Tensor.ones(2, 8)).shape == [2, 10])
        // The same name again replaces that child in place.
        net.addModule("add_linear", Linear(4, 3))
        #expect(net.count == 5 && net.eval()(Tensor.ones(2, 8)).shape == [2, 3])
        // append after a named child is numbered by position, as PyTorch's `len(self)`.
        net.append(ReLU())
        #expect(net.namedChildren().map(\.0) == ["0", "1", "2", "3", "add_linear", "5"])
    }

    @Test("assigning net[i] replaces the layer under the same name")
    func replaceByIndex() {
        let net = classifier()
        net[3] = Linear(6, 10)
        #expect(net.description.contains("  (3): Linear(in_features=6, out_features=10, bias=True)\n)"))
        net[-1] = Linear(6, 2)
        #expect(net.stateDict()["3.weight"]?.shape == [2, 6])
        #expect(net.eval()(Tensor.ones(1, 8)).shape == [1, 2])
    }

    @Test("a Sequential iterates over its children in order")
    func iteration() {
        let net = classifier()
        var names: [String] = []
        for layer in net { names.append(layer.typeName) }
        #expect(names == ["Linear", "ReLU", "Dropout", "Linear"])
        #expect(net.map(\.typeName) == names)
        #expect(net.children().count == 4)
        let outer = Sequential { net; Linear(4, 1) }
        #expect(outer.namedModules().map(\.0) == ["", "0", "0.0", "0.1", "0.2", "0.3", "1"])
    }

    @Test("ReLU(inplace: true) prints as torchvision's and computes the same values")
    func reluInplace() {
        #expect(ReLU(inplace: true).description == "ReLU(inplace=True)")
        #expect(ReLU().description == "ReLU()")
        let x = Tensor([-1.0, 2.0], shape: [2])
        #expect(ReLU(inplace: true)(x).toArray(as: Double.self) == [0, 2])
        #expect(x.toArray(as: Double.self) == [-1, 2])
    }

    @Test("misuse stops with PyTorch's messages")
    func misuse() async {
        let dotted = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Sequential { ReLU() }.addModule("head.fc", Linear(2, 2))
        }
        #expect(stderrText(dotted).contains("addModule: module name can't be empty string \"\" or contain \".\", got: head.fc"))
        let outside = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let net = Sequential { ReLU() }
            net[3] = Linear(2, 2)
        }
        #expect(stderrText(outside).contains("Sequential: index 3 is out of range"))
    }
}

private func stderrText(_ result: ExitTest.Result?) -> String {
    result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
}
