// torch.save outputs beyond the committed fixtures: nn.Parameter, torch.Size, big ints, a bfloat16 view, protocol 4.
// This suite does not read the golden directory: the two files are embedded below, so the values the test expects
// are those of the Python literal they were written from (quoted in the doc comment), not copies of golden data.
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO Golden torch.save variants")
struct TorchVariantsGoldenTests {
    /// Both files were written by PyTorch 2.13 from
    /// `{"p": nn.Parameter(tensor([1., -2.])), "size": torch.Size([2, 3]), "big": 2**40, "neg": -5,
    ///   "h": tensor([1.5, 2.5], dtype=torch.bfloat16)[1:], "od": OrderedDict([("a", 1)])}`
    /// with `pickle_protocol=2` (the default) and `pickle_protocol=4` (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE).
    @Test(arguments: [2, 4])
    func parameterSizeAndViews(_ proto: Int) throws {
        let bytes = Array(try #require(Data(base64Encoded: (proto == 2 ? torchProto2 : torchProto4).joined()), "embedded file is not base64"))
        let v = try TorchFormat.read(bytes, file: "proto\(proto).pt")
        #expect(v.dict?.keys == ["p", "size", "big", "neg", "h", "od"])
        let p = try #require(v["p"]?.tensor)
        #expect(p.requiresGrad && p.scalars == [1, -2] && p.dtype == .float32)
        #expect(v["size"]?.elements?.compactMap(\.int) == [2, 3])
        #expect(v["big"]?.int == 1 << 40 && v["neg"]?.int == -5)
        let h = try #require(v["h"]?.tensor)
        #expect(h.dtype == .bfloat16 && h.shape == [1] && h.storageOffset == 1 && h.scalars == [2.5])
        #expect(v["od"]?.dict?.isOrderedDict == true && v["od"]?["a"]?.int == 1)
    }
}

let torchProto2: [String] = [
    "UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoACfXEAKFgBAAAAcHEBY3Rvcm",
    "NoLl91dGlscwpfcmVidWlsZF9wYXJhbWV0ZXIKcQJjdG9yY2guX3V0aWxzCl9yZWJ1aWxkX3RlbnNvcl92MgpxAygoWAcAAABzdG9yYWdlcQRj",
    "dG9yY2gKRmxvYXRTdG9yYWdlCnEFWAEAAAAwcQZYAwAAAGNwdXEHSwJ0cQhRSwBLAoVxCUsBhXEKiWNjb2xsZWN0aW9ucwpPcmRlcmVkRGljdA",
    "pxCylScQx0cQ1ScQ6IaAspUnEPh3EQUnERWAQAAABzaXplcRJjdG9yY2gKU2l6ZQpxE0sCSwOGcRSFcRVScRZYAwAAAGJpZ3EXigYAAAAAAAFY",
    "AwAAAG5lZ3EYSvv///9YAQAAAGhxGWgDKChoBGN0b3JjaApCRmxvYXQxNlN0b3JhZ2UKcRpYAQAAADFxG2gHSwJ0cRxRSwFLAYVxHUsBhXEeiW",
    "gLKVJxH3RxIFJxIVgCAAAAb2RxImgLKVJxI1gBAAAAYXEkSwFzdS5QSwcIZnCqmoQBAACEAQAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAX",
    "ADcAYXJjaGl2ZS8uZm9ybWF0X3ZlcnNpb25GQjMAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMV",
    "BLBwi379yDAQAAAAEAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAABoANwBhcmNoaXZlLy5zdG9yYWdlX2FsaWdubWVudEZCMwBaWlpaWlpa",
    "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo2NFBLBwg/d3HpAgAAAAIAAABQSwMEAAAICAAAAAAAAAAAAAAAAA",
    "AAAAAAABEAPwBhcmNoaXZlL2J5dGVvcmRlckZCOwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa",
    "WlpaWlpaWmxpdHRsZVBLBwiFPeMZBgAAAAYAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4APgBhcmNoaXZlL2RhdGEvMEZCOgBaWlpaWl",
    "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAACAPwAAAMBQSwcIViaHwwgAAAAIAAAAUEsDBAAA",
    "CAgAAAAAAAAAAAAAAAAAAAAAAAAOADwAYXJjaGl2ZS9kYXRhLzFGQjgAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWl",
    "paWlpaWlpaWlpaWlpaWlrAPyBAUEsHCIX2ZpsEAAAABAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADwA/AGFyY2hpdmUvdmVyc2lvbkZC",
    "OwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWjMKUEsHCNGeZ1UCAAAAAgAAAFBLAw",
    "QAAAgIAAAAAAAAAAAAAAAAAAAAAAAAHgAyAGFyY2hpdmUvLmRhdGEvc2VyaWFsaXphdGlvbl9pZEZCLgBaWlpaWlpaWlpaWlpaWlpaWlpaWlpa",
    "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMDU2MTEwODUyMzYxOTY3MDUyOTQwMzY4OTM5NDM5MjIxNDk3ODc3NlBLBwgEyfexKAAAACgAAABQSw",
    "ECAAAAAAgIAAAAAAAAZnCqmoQBAACEAQAAEAAAAAAAAAAAAAAAAAAAAAAAYXJjaGl2ZS9kYXRhLnBrbFBLAQIAAAAACAgAAAAAAAC379yDAQAA",
    "AAEAAAAXAAAAAAAAAAAAAAAAANQBAABhcmNoaXZlLy5mb3JtYXRfdmVyc2lvblBLAQIAAAAACAgAAAAAAAA/d3HpAgAAAAIAAAAaAAAAAAAAAA",
    "AAAAAAAFECAABhcmNoaXZlLy5zdG9yYWdlX2FsaWdubWVudFBLAQIAAAAACAgAAAAAAACFPeMZBgAAAAYAAAARAAAAAAAAAAAAAAAAANICAABh",
    "cmNoaXZlL2J5dGVvcmRlclBLAQIAAAAACAgAAAAAAABWJofDCAAAAAgAAAAOAAAAAAAAAAAAAAAAAFYDAABhcmNoaXZlL2RhdGEvMFBLAQIAAA",
    "AACAgAAAAAAACF9mabBAAAAAQAAAAOAAAAAAAAAAAAAAAAANgDAABhcmNoaXZlL2RhdGEvMVBLAQIAAAAACAgAAAAAAADRnmdVAgAAAAIAAAAP",
    "AAAAAAAAAAAAAAAAAFQEAABhcmNoaXZlL3ZlcnNpb25QSwECAAAAAAgIAAAAAAAABMn3sSgAAAAoAAAAHgAAAAAAAAAAAAAAAADSBAAAYXJjaG",
    "l2ZS8uZGF0YS9zZXJpYWxpemF0aW9uX2lkUEsGBiwAAAAAAAAAHgMtAAAAAAAAAAAACAAAAAAAAAAIAAAAAAAAAAsCAAAAAAAAeAUAAAAAAABQ",
    "SwYHAAAAAIMHAAAAAAAAAQAAAFBLBQYAAAAACAAIAAsCAAB4BQAAAAA=",
]

let torchProto4: [String] = [
    "UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoAElTsBAAAAAAAAfZQojAFwlI",
    "wMdG9yY2guX3V0aWxzlIwSX3JlYnVpbGRfcGFyYW1ldGVylJOUaAKMEl9yZWJ1aWxkX3RlbnNvcl92MpSTlCgojAdzdG9yYWdllIwFdG9yY2iU",
    "jAxGbG9hdFN0b3JhZ2WUk5SMATCUjANjcHWUSwJ0lFFLAEsChZRLAYWUiYwLY29sbGVjdGlvbnOUjAtPcmRlcmVkRGljdJSTlClSlHSUUpSIaB",
    "IpUpSHlFKUjARzaXpllGgIjARTaXpllJOUSwJLA4aUhZRSlIwDYmlnlIoGAAAAAAABjANuZWeUSvv///+MAWiUaAYoKGgHaAiMD0JGbG9hdDE2",
    "U3RvcmFnZZSTlIwBMZRoDEsCdJRRSwFLAYWUSwGFlIloEilSlHSUUpSMAm9klGgSKVKUjAFhlEsBc3UuUEsHCHyXiYFGAQAARgEAAFBLAwQAAA",
    "gIAAAAAAAAAAAAAAAAAAAAAAAAFwA1AGFyY2hpdmUvLmZvcm1hdF92ZXJzaW9uRkIxAFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa",
    "WlpaWlpaWlpaWlpaWlpaWloxUEsHCLfv3IMBAAAAAQAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAAGgA3AGFyY2hpdmUvLnN0b3JhZ2VfYW",
    "xpZ25tZW50RkIzAFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWjY0UEsHCD93cekCAAAAAgAAAFBL",
    "AwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAAEQA/AGFyY2hpdmUvYnl0ZW9yZGVyRkI7AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWl",
    "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpabGl0dGxlUEsHCIU94xkGAAAABgAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgA+AGFyY2hp",
    "dmUvZGF0YS8wRkI6AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloAAIA/AAAAwFBLBw",
    "hWJofDCAAAAAgAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4APABhcmNoaXZlL2RhdGEvMUZCOABaWlpaWlpaWlpaWlpaWlpaWlpaWlpa",
    "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWsA/IEBQSwcIhfZmmwQAAAAEAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAPAD",
    "8AYXJjaGl2ZS92ZXJzaW9uRkI7AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMwpQ",
    "SwcI0Z5nVQIAAAACAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAeADIAYXJjaGl2ZS8uZGF0YS9zZXJpYWxpemF0aW9uX2lkRkIuAFpaWl",
    "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlowNTYxMTA4NTIzNjE5NjcwNTI5NDAyNjcwMjI1NzgwNDkwMzg4NzEy",
    "UEsHCFHoiLYoAAAAKAAAAFBLAQIAAAAACAgAAAAAAAB8l4mBRgEAAEYBAAAQAAAAAAAAAAAAAAAAAAAAAABhcmNoaXZlL2RhdGEucGtsUEsBAg",
    "AAAAAICAAAAAAAALfv3IMBAAAAAQAAABcAAAAAAAAAAAAAAAAAlgEAAGFyY2hpdmUvLmZvcm1hdF92ZXJzaW9uUEsBAgAAAAAICAAAAAAAAD93",
    "cekCAAAAAgAAABoAAAAAAAAAAAAAAAAAEQIAAGFyY2hpdmUvLnN0b3JhZ2VfYWxpZ25tZW50UEsBAgAAAAAICAAAAAAAAIU94xkGAAAABgAAAB",
    "EAAAAAAAAAAAAAAAAAkgIAAGFyY2hpdmUvYnl0ZW9yZGVyUEsBAgAAAAAICAAAAAAAAFYmh8MIAAAACAAAAA4AAAAAAAAAAAAAAAAAFgMAAGFy",
    "Y2hpdmUvZGF0YS8wUEsBAgAAAAAICAAAAAAAAIX2ZpsEAAAABAAAAA4AAAAAAAAAAAAAAAAAmAMAAGFyY2hpdmUvZGF0YS8xUEsBAgAAAAAICA",
    "AAAAAAANGeZ1UCAAAAAgAAAA8AAAAAAAAAAAAAAAAAFAQAAGFyY2hpdmUvdmVyc2lvblBLAQIAAAAACAgAAAAAAABR6Ii2KAAAACgAAAAeAAAA",
    "AAAAAAAAAAAAAJIEAABhcmNoaXZlLy5kYXRhL3NlcmlhbGl6YXRpb25faWRQSwYGLAAAAAAAAAAeAy0AAAAAAAAAAAAIAAAAAAAAAAgAAAAAAA",
    "AACwIAAAAAAAA4BQAAAAAAAFBLBgcAAAAAQwcAAAAAAAABAAAAUEsFBgAAAAAIAAgACwIAADgFAAAAAA==",
]
