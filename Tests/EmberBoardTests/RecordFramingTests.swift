// RecordFramingTests: CRC-32C test vectors, masking and TFRecord framing.

@testable import EmberBoard
import Testing

@Suite struct RecordFramingTests {
    @Test func crc32cKnownVectors() {
        // The CRC catalogue's check value and RFC 3720 (iSCSI) B.4 vectors.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func maskedCRCRotatesAndAddsTheConstant() {
        // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xA282EAD8, computed by hand.
        #expect(CRC32C.masked(Array("123456789".utf8)) == 0x2507_C60D &+ 0xA282_EAD8)
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(CRC32C.masked(data) == maskedBitwiseCRC(data))
    }

    @Test func recordLayout() throws {
        let payload: [UInt8] = [1, 2, 3, 250]
        let record = tfRecord(payload)
        #expect(record.count == 4 + 16)
        #expect(Array(record[0..<8]) == [4, 0, 0, 0, 0, 0, 0, 0])
        #expect(le(record[8..<12], as: UInt32.self) == maskedBitwiseCRC([4, 0, 0, 0, 0, 0, 0, 0]))
        #expect(Array(record[12..<16]) == payload)
        #expect(le(record[16..<20], as: UInt32.self) == maskedBitwiseCRC(payload))
        #expect(try readRecords(record + tfRecord([])) == [payload, []])
    }

    @Test func goldenFirstRecordFraming() throws {
        // PyTorch's first record: 72-byte payload, framed exactly as in the reference log.
        // A frozen test vector (like the CRC vectors above): this test does not read EMBER_GOLDEN_DIR, so it holds
        // whatever directory is configured; BoardGoldenTests re-frames every record of the configured log.
        let first: [UInt8] = [0x48, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x92, 0x48, 0x9d]
        let version = Event(wallTime: Double(bitPattern: 0x41DA_C0DF_CD13_9E1E),
                            content: .fileVersion("brain.Event:2", writer: "tensorboard.summary.writer.event_file_writer"))
        let record = tfRecord(version.serialized())
        #expect(Array(record.prefix(12)) == first)
        #expect(Array(record.suffix(4)) == [0xfa, 0x34, 0xcd, 0x46])
    }
}
