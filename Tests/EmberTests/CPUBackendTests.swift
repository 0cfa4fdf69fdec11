// CPU tensors over HostMemory's huge-page blocks compute like any other.
import Testing
@testable import Ember
import EmberKernels

@Suite struct CPUBackendTests {
    @Test func largeTensorsComputeOverHugePageBlocks() {
        // 4,500,001 floats: 18 MB, not a whole number of 2 MiB pages.
        let n = 4_500_001
        let x = Tensor.ones([n]) * 0.5
        let total = x.sum().item(as: Double.self)
        #expect(total == Double(n) * 0.5)
    }

    @Test func theSharedBackendUsesTheSharedHostMemory() {
        #expect(CPUBackend.shared.memory === HostMemory.shared)
    }
}
